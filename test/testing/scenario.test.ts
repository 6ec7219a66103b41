import { AssertionError } from "node:assert/strict";
import { describe, expect, it } from "vitest";
import { err, ok } from "../../src/core/result.js";
import type { Handle } from "../../src/core/types.js";
import { scenario } from "../../src/testing/index.js";

type Account = { readonly opened: boolean; readonly balance: number };
type Command = { readonly type: "Open" } | { readonly type: "Deposit"; readonly amount: number };
type Event = { readonly type: "Opened" } | { readonly type: "Deposited"; readonly amount: number };
type DomainError = { readonly code: "NotOpened" | "NonPositiveAmount" | "AlreadyOpened" };

const handle: Handle<Account, Command, Event, DomainError> = (account, command) => {
  if (command.type === "Open")
    return account.opened ? err({ code: "AlreadyOpened" }) : ok([{ type: "Opened" }]);
  if (!account.opened) return err({ code: "NotOpened" });
  if (command.amount <= 0) return err({ code: "NonPositiveAmount" });
  return ok([{ type: "Deposited", amount: command.amount }]);
};
const apply = (account: Account, event: Event): Account =>
  event.type === "Opened"
    ? { ...account, opened: true }
    : { ...account, balance: account.balance + event.amount };
const account = scenario({ handle, apply, emptyState: { opened: false, balance: 0 } });
const opened: Event[] = [{ type: "Opened" }, { type: "Deposited", amount: 5 }];

/** The AssertionError `check` throws; fails the test if it throws nothing or something else. */
function assertionFrom(check: () => void): AssertionError {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(AssertionError);
    return error as AssertionError;
  }
  throw new Error("expected the check to throw an AssertionError, but it passed");
}

describe("scenario", () => {
  it("passes then() when handle returns exactly the expected events", () => {
    expect(() =>
      account
        .given(opened)
        .when({ type: "Deposit", amount: 10 })
        .then([{ type: "Deposited", amount: 10 }]),
    ).not.toThrow();
  });

  it("passes then() on an aggregate without past events when given() is left out", () => {
    expect(() => account.when({ type: "Open" }).then([{ type: "Opened" }])).not.toThrow();
  });

  it("fails then() with the difference when the events differ", () => {
    const error = assertionFrom(() =>
      account
        .given(opened)
        .when({ type: "Deposit", amount: 10 })
        .then([{ type: "Deposited", amount: 11 }]),
    );
    expect(error.message).toMatch(/^then: the events handle returned differ from the expected events/);
    expect(error.message).toContain("amount: 11");
    expect(error.actual).toEqual([{ type: "Deposited", amount: 10 }]);
    expect(error.expected).toEqual([{ type: "Deposited", amount: 11 }]);
  });

  it("fails then() naming the domain error when handle refuses the command", () => {
    const error = assertionFrom(() => account.when({ type: "Deposit", amount: 10 }).then([]));
    expect(error.message).toBe(
      "then: expected handle to return events, but it returned the domain error { code: 'NotOpened' }",
    );
  });

  it("passes thenError() when handle returns the expected domain error", () => {
    expect(() =>
      account.given(opened).when({ type: "Deposit", amount: 0 }).thenError({ code: "NonPositiveAmount" }),
    ).not.toThrow();
  });

  it("fails thenError() listing the events when handle accepts the command", () => {
    const error = assertionFrom(() =>
      account.given(opened).when({ type: "Deposit", amount: 3 }).thenError({ code: "NonPositiveAmount" }),
    );
    expect(error.message).toBe(
      "thenError: expected handle to return the domain error { code: 'NonPositiveAmount' }, but it returned " +
        "the events [ { type: 'Deposited', amount: 3 } ]",
    );
  });

  it("fails thenError() with the difference when the domain error differs", () => {
    const error = assertionFrom(() =>
      account.given(opened).when({ type: "Open" }).thenError({ code: "NotOpened" }),
    );
    expect(error.message).toMatch(
      /^thenError: the domain error handle returned differs from the expected one/,
    );
    expect(error.actual).toEqual({ code: "AlreadyOpened" });
  });

  it("passes thenState() when the past and the new events fold into the expected state", () => {
    expect(() =>
      account.given(opened).when({ type: "Deposit", amount: 10 }).thenState({ opened: true, balance: 15 }),
    ).not.toThrow();
  });

  it("fails thenState() with the difference when the state differs", () => {
    const error = assertionFrom(() =>
      account.given(opened).when({ type: "Deposit", amount: 10 }).thenState({ opened: true, balance: 10 }),
    );
    expect(error.message).toMatch(/^thenState: the state after applying the new events differs/);
    expect(error.actual).toEqual({ opened: true, balance: 15 });
  });

  it("fails thenState() naming the domain error when handle refuses the command", () => {
    const error = assertionFrom(() =>
      account.when({ type: "Deposit", amount: 1 }).thenState({ opened: false, balance: 0 }),
    );
    expect(error.message).toMatch(
      /^thenState: expected handle to return events, but it returned the domain error/,
    );
  });

  it("fails any check when handle returns something that is not a result", () => {
    const broken = scenario<Account, Command, Event, DomainError>({
      handle: () => [{ type: "Opened" }] as never,
      apply,
      emptyState: { opened: false, balance: 0 },
    });
    const error = assertionFrom(() => broken.when({ type: "Open" }).then([{ type: "Opened" }]));
    expect(error.message).toMatch(/^handle must return ok\(events\) or err\(error\)/);
  });

  it("passes what handle throws through to the caller", () => {
    const throwing = scenario<Account, Command, Event, DomainError>({
      handle: () => {
        throw new RangeError("handle bug");
      },
      apply,
      emptyState: { opened: false, balance: 0 },
    });
    expect(() => throwing.when({ type: "Open" }).then([])).toThrow(RangeError);
  });

  it("refuses to be awaited, telling to call then() with the expected events", async () => {
    const outcome = account.when({ type: "Open" });
    const awaited: unknown = outcome;
    await expect((async () => await awaited)()).rejects.toThrow(/not a promise/);
  });

  it("refuses a domain without handle and apply functions", () => {
    expect(() => scenario({ handle: undefined, apply, emptyState: {} } as never)).toThrow(
      /pass \{ handle, apply, emptyState \}/,
    );
  });
});
