import assert, { AssertionError } from "node:assert/strict";
import { inspect } from "node:util";
import type { Result } from "../core/result.js";
import type { Apply, Handle } from "../core/types.js";

/**
 * The pure part of an event-sourced domain: what {@link scenario} tests.
 *
 * @example
 * ```ts
 * import type { ScenarioDomain } from "eventsourcing/testing";
 *
 * const domain: ScenarioDomain<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError> = { handle, apply, emptyState };
 * ```
 */
export interface ScenarioDomain<TState, TCommand, TEvent, TDomainError> {
  readonly handle: Handle<TState, TCommand, TEvent, TDomainError>;
  readonly apply: Apply<TState, TEvent>;
  readonly emptyState: TState;
}

/**
 * A scenario before its past: state the events that happened, or go straight to the command.
 *
 * @example
 * ```ts
 * import { type Scenario, scenario } from "eventsourcing/testing";
 *
 * const account: Scenario<BankAccount, BankAccountCommand, BankAccountEvent, BankAccountError> = scenario({ handle, apply, emptyState });
 * ```
 */
export interface Scenario<TState, TCommand, TEvent, TDomainError> {
  /** The events that already happened, folded with `apply` from `emptyState`. */
  given(events: readonly TEvent[]): ScenarioGiven<TState, TCommand, TEvent, TDomainError>;
  /** The command, on an aggregate with no past events. */
  when(command: TCommand): ScenarioWhen<TState, TEvent, TDomainError>;
}

/**
 * A scenario with its past: state the command.
 *
 * @example
 * ```ts
 * import { scenario } from "eventsourcing/testing";
 *
 * const account = scenario({ handle, apply, emptyState });
 * const opened = account.given([{ type: "AccountOpened", accountId: "a-1" }]);
 * opened.when({ type: "DepositMoney", amount: 10 }).thenState({ type: "BankAccount", balance: 10 });
 * ```
 */
export interface ScenarioGiven<TState, TCommand, TEvent, TDomainError> {
  when(command: TCommand): ScenarioWhen<TState, TEvent, TDomainError>;
}

/**
 * A scenario with its command: state the expected outcome. Each check throws an `AssertionError`
 * from `node:assert` when it fails, so it works under any test runner. This is not a promise: do not
 * `await` it.
 *
 * @example
 * ```ts
 * import { scenario } from "eventsourcing/testing";
 *
 * const account = scenario({ handle, apply, emptyState });
 * account.when({ type: "DepositMoney", amount: 10 }).thenError("CantOperateOnUnopenedAccount");
 * account
 *   .given([{ type: "AccountOpened", accountId: "a-1" }])
 *   .when({ type: "WithDrawMoney", amount: 5 })
 *   .thenError("CantWithdrawMoreThanCurrentBalance");
 * ```
 */
export interface ScenarioWhen<TState, TEvent, TDomainError> {
  /** `handle` returned exactly these events (deep strict equality). */
  then(expectedEvents: readonly TEvent[]): void;
  /** `handle` returned this domain error (deep strict equality). */
  thenError(expectedError: TDomainError): void;
  /** `handle` returned events, and applying them to the past state gives this state. */
  thenState(expectedState: TState): void;
}

/**
 * Given/when/then for a domain's `handle` and `apply`, without a store, a system or a test framework.
 * The examples use the README's bank account (`examples/bank-account/domain.ts`).
 *
 * @example
 * ```ts
 * import { scenario } from "eventsourcing/testing";
 *
 * const account = scenario({ handle, apply, emptyState });
 * account
 *   .given([{ type: "AccountOpened", accountId: "a-1" }])
 *   .when({ type: "DepositMoney", amount: 10 })
 *   .then([{ type: "CustomerDepositedCash", amount: 10, balance: 10 }]);
 * account.when({ type: "DepositMoney", amount: 10 }).thenError("CantOperateOnUnopenedAccount");
 * ```
 */
export function scenario<TState, TCommand, TEvent, TDomainError>(
  domain: ScenarioDomain<TState, TCommand, TEvent, TDomainError>,
): Scenario<TState, TCommand, TEvent, TDomainError> {
  if (typeof domain?.handle !== "function" || typeof domain.apply !== "function")
    throw new TypeError("scenario: pass { handle, apply, emptyState } with handle and apply functions");
  const { handle, apply, emptyState } = domain;
  const given = (events: readonly TEvent[]): ScenarioGiven<TState, TCommand, TEvent, TDomainError> => {
    if (!Array.isArray(events)) throw new TypeError("scenario: given() takes an array of past events");
    const past = [...events];
    return Object.freeze({
      when: (command: TCommand) => {
        const pastState = fold(apply, emptyState, past);
        return outcome(apply, pastState, () => handle(pastState, command));
      },
    });
  };
  return Object.freeze({ given, when: (command: TCommand) => given([]).when(command) });
}

function outcome<TState, TEvent, TDomainError>(
  apply: Apply<TState, TEvent>,
  pastState: TState,
  decide: () => Result<readonly TEvent[], TDomainError>,
): ScenarioWhen<TState, TEvent, TDomainError> {
  // handle is pure, so one call answers every check made on this scenario.
  let decided: Result<readonly TEvent[], TDomainError> | undefined;
  const result = () => {
    decided ??= checkedResult(decide());
    return decided;
  };
  const events = (step: string): readonly TEvent[] => {
    const decision = result();
    if (!decision.ok)
      throw new AssertionError({
        message: `${step}: expected handle to return events, but it returned the domain error ${show(decision.error)}`,
        actual: decision.error,
        operator: step,
      });
    return decision.value;
  };
  return Object.freeze({
    // biome-ignore lint/suspicious/noThenProperty: "then" is the vocabulary of given/when/then; awaiting is refused below.
    then(expectedEvents: readonly TEvent[]): void {
      if (typeof expectedEvents === "function")
        throw new TypeError("scenario: when() is not a promise; call .then(expectedEvents) without await");
      equal(
        events("then"),
        expectedEvents,
        "then: the events handle returned differ from the expected events",
      );
    },
    thenError(expectedError: TDomainError): void {
      const decision = result();
      if (decision.ok)
        throw new AssertionError({
          message: `thenError: expected handle to return the domain error ${show(expectedError)}, but it returned the events ${show(decision.value)}`,
          actual: decision.value,
          expected: expectedError,
          operator: "thenError",
        });
      equal(
        decision.error,
        expectedError,
        "thenError: the domain error handle returned differs from the expected one",
      );
    },
    thenState(expectedState: TState): void {
      const state = fold(apply, pastState, events("thenState"));
      equal(
        state,
        expectedState,
        "thenState: the state after applying the new events differs from the expected state",
      );
    },
  });
}

function fold<TState, TEvent>(
  apply: Apply<TState, TEvent>,
  state: TState,
  events: readonly TEvent[],
): TState {
  let folded = state;
  for (const event of events) folded = apply(folded, event);
  return folded;
}

function checkedResult<T, E>(result: Result<T, E>): Result<T, E> {
  if (typeof result !== "object" || result === null || typeof result.ok !== "boolean")
    throw new AssertionError({
      message: `handle must return ok(events) or err(error), but it returned ${show(result)}`,
      actual: result,
      operator: "handle",
    });
  return result;
}

/** deepStrictEqual, with a first line saying which check failed above node's own diff. */
function equal(actual: unknown, expected: unknown, headline: string): void {
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    throw new AssertionError({
      message: `${headline}\n${error.message}`,
      actual,
      expected,
      operator: "deepStrictEqual",
    });
  }
}

function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: Number.POSITIVE_INFINITY });
}
