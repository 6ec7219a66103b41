/**
 * Versioned events: events stored at older versions go through the upcasters on every read path, live
 * events are written at the current version, and a version the code cannot reach is a clear error.
 */
import { expect, it } from "vitest";
import type { EncodedEvent, EventStore } from "../../src/core/event-store.js";
import { type EventSourcingConfig, err, ok, start, supervised, type Upcaster } from "../../src/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { forEachStore } from "../support/stores.js";
import { expectOk, quiet, recorder, until, useSystems } from "../support/system.js";

/** The wallet as the code knows it today: deposits are `CashDeposited` at version 3. */
type Wallet = { balance: number; currencies: string[] };
type WalletEvent = { type: "WalletOpened" } | { type: "CashDeposited"; amount: number; currency: string };
type WalletCommand = { type: "Open" } | { type: "Deposit"; amount: number; currency: string };

const handle = (wallet: Wallet | null, command: WalletCommand) => {
  if (command.type === "Open") return wallet === null ? ok([{ type: "WalletOpened" } as const]) : err("open");
  return wallet === null ? err("closed") : ok([{ ...command, type: "CashDeposited" } as WalletEvent]);
};
const apply = (wallet: Wallet | null, event: WalletEvent): Wallet | null => {
  if (event.type === "WalletOpened") return { balance: 0, currencies: [] };
  if (wallet === null) throw new Error("a deposit before the wallet was opened");
  if (typeof event.amount !== "number" || typeof event.currency !== "string")
    throw new Error(`a deposit of an older shape reached apply: ${JSON.stringify(event)}`);
  const currencies = wallet.currencies.includes(event.currency)
    ? wallet.currencies
    : [...wallet.currencies, event.currency];
  return { balance: wallet.balance + event.amount, currencies };
};

/**
 * Version 1 was `MoneyDeposited` with one field, `amount: "10.50 EUR"`. Version 2 renamed it to
 * `CashDeposited`; version 3 split the amount into a number and a currency.
 */
const upcasters: Upcaster[] = [
  {
    eventType: "MoneyDeposited",
    fromVersion: 1,
    upcast: (payload) => ({
      eventType: "CashDeposited",
      payload: { ...(payload as object), type: "CashDeposited" },
    }),
  },
  {
    eventType: "CashDeposited",
    fromVersion: 2,
    upcast: (payload) => {
      const { amount, ...rest } = payload as { type: string; amount: string };
      const [value, currency] = amount.split(" ");
      return { payload: { ...rest, amount: Number(value), currency } };
    },
  },
];
const eventVersions = { CashDeposited: 3 };

const v1Deposit = (amount: string): EncodedEvent => ({
  eventType: "MoneyDeposited",
  eventVersion: 1,
  payload: JSON.stringify({ type: "MoneyDeposited", amount }),
  metadata: { by: "v1" },
});
const opened: EncodedEvent = { eventType: "WalletOpened", payload: '{"type":"WalletOpened"}', metadata: {} };

/** Writes rows as an old release did, through the store interface. */
async function writeOld(store: EventStore, id: string, events: readonly EncodedEvent[]): Promise<void> {
  const expectedSequence = await store.currentSequence("wallet", id);
  const [outcome] = await store.append([
    { aggregateType: "wallet", aggregateId: id, expectedSequence, events },
  ]);
  if (!outcome?.ok) throw new Error("the old rows could not be written");
}

/** Today's wallet system on `store`, with some options replaced. */
const walletConfig = (
  store: EventStore,
  overrides: Partial<EventSourcingConfig<Wallet | null, WalletCommand, WalletEvent, string>> = {},
): EventSourcingConfig<Wallet | null, WalletCommand, WalletEvent, string> => ({
  store,
  aggregateType: "wallet",
  emptyState: null,
  handle,
  apply,
  eventVersions,
  upcasters,
  logger: quiet,
  ...overrides,
});

forEachStore("events stored at older versions", (kind) => {
  const systems = useSystems(kind);
  const wallets = (store: EventStore, extra: { snapshot?: { frequency: number } } = {}) =>
    start(walletConfig(store, extra)).then((system) => systems.track(system));

  it("replay through the upcasters, and come back renamed and split from loadEvents and loadEventsFrom", async () => {
    const { store } = await systems.store();
    await writeOld(store, "w", [opened, v1Deposit("10.50 EUR"), v1Deposit("2 USD")]);
    const system = await wallets(store);
    expect(expectOk(await system.loadAggregate("w"))).toEqual({
      aggregateId: "w",
      sequence: 3,
      state: { balance: 12.5, currencies: ["EUR", "USD"] },
    });
    const events = expectOk(await system.loadEvents("w"));
    expect(events.map((e) => [e.eventType, e.eventVersion, e.event])).toEqual([
      ["WalletOpened", 1, { type: "WalletOpened" }],
      ["CashDeposited", 1, { type: "CashDeposited", amount: 10.5, currency: "EUR" }],
      ["CashDeposited", 1, { type: "CashDeposited", amount: 2, currency: "USD" }],
    ]);
    expect(events[1]?.metadata).toEqual({ by: "v1" });
    expect(expectOk(await system.loadEventsFrom("w", 2)).map((e) => e.event)).toEqual([
      { type: "CashDeposited", amount: 2, currency: "USD" },
    ]);
    // New events are written at the current version, and read back as they were written.
    const deposited = expectOk(await system.execute("w", { type: "Deposit", amount: 1, currency: "EUR" }));
    expect(deposited.events.map((e) => [e.eventType, e.eventVersion])).toEqual([["CashDeposited", 3]]);
    expect((await store.readAggregate("wallet", "w", 3)).map((e) => [e.eventType, e.eventVersion])).toEqual([
      ["CashDeposited", 3],
    ]);
    expect(deposited.aggregate.state).toEqual({ balance: 13.5, currencies: ["EUR", "USD"] });
  });

  it("are upcast in the tail after a snapshot", async () => {
    const { store } = await systems.store();
    await writeOld(store, "w", [opened, v1Deposit("1 EUR")]);
    const first = await wallets(store, { snapshot: { frequency: 3 } });
    expectOk(await first.execute("w", { type: "Deposit", amount: 2, currency: "EUR" }));
    await until(async () => expectOk(await first.aggregateStats("w")).snapshotSequence === 3);
    await first.stop();
    // An old process goes on writing version-1 events after the snapshot.
    await writeOld(store, "w", [v1Deposit("4 GBP")]);
    const second = await wallets(store, { snapshot: { frequency: 3 } });
    expect(expectOk(await second.loadAggregate("w"))).toEqual({
      aggregateId: "w",
      sequence: 4,
      state: { balance: 7, currencies: ["EUR", "GBP"] },
    });
  });

  it("are upcast for a named query, in catch-up and live", async () => {
    const { store } = await systems.store();
    await writeOld(store, "w", [opened, v1Deposit("3 EUR")]);
    const seen = recorder<WalletEvent>();
    await start(walletConfig(store, { queries: [{ name: "deposits", handle: seen.query }] })).then((system) =>
      systems.track(system),
    );
    await seen.waitFor(1);
    await writeOld(store, "w", [v1Deposit("5 CHF")]);
    await seen.waitFor(2);
    const events = seen.calls.flatMap((call) => call.events);
    expect(events.map((e) => [e.eventType, e.eventVersion, e.event])).toEqual([
      ["WalletOpened", 1, { type: "WalletOpened" }],
      ["CashDeposited", 1, { type: "CashDeposited", amount: 3, currency: "EUR" }],
      ["CashDeposited", 1, { type: "CashDeposited", amount: 5, currency: "CHF" }],
    ]);
  });

  it("give an EventStoreError naming the type and versions when newer than the code or when no step reaches the current version", async () => {
    const { store } = await systems.store();
    await writeOld(store, "newer", [
      opened,
      { ...v1Deposit("1 EUR"), eventType: "CashDeposited", eventVersion: 4 },
    ]);
    await writeOld(store, "short", [
      opened,
      { ...v1Deposit("1 EUR"), eventType: "CashDeposited", eventVersion: 1 },
    ]);
    await writeOld(store, "fine", [opened, v1Deposit("1 EUR")]);
    const system = await wallets(store);
    for (const [id, words] of [
      ["newer", /"CashDeposited" at version 4 is newer than this code knows \(version 3\)/],
      ["short", /"CashDeposited" stops at version 1: no upcaster reads it, and the current version is 3/],
    ] as const) {
      const loaded = await system.loadAggregate(id);
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) {
        expect(loaded.error.type).toBe("EventStoreError");
        expect(loaded.error.type === "EventStoreError" && loaded.error.message).toMatch(words);
      }
      const events = await system.loadEvents(id);
      expect(!events.ok && events.error.type).toBe("EventStoreError");
      expect(!events.ok && events.error.type === "EventStoreError" && events.error.message).toMatch(words);
    }
    expect(expectOk(await system.loadAggregate("fine")).state).toEqual({ balance: 1, currencies: ["EUR"] });
  });
});

it("refuses, at construction, a current version that no upcaster reaches, and two steps for one version", async () => {
  const { memoryStore } = await import("../../src/stores/memory/index.js");
  const base = { store: memoryStore(), emptyState: null as Wallet | null, handle, apply };
  expect(() =>
    supervised({ ...base, eventVersions: { CashDeposited: 3 }, upcasters: [upcasters[0] as Upcaster] }),
  ).toThrow(/"CashDeposited" is at version 3 but no upcaster reads version 2/);
  expect(() =>
    supervised({ ...base, eventVersions, upcasters: [...upcasters, upcasters[1] as Upcaster] }),
  ).toThrow(/two upcasters read "CashDeposited" at version 2/);
  expect(() => supervised({ ...base, eventVersions: { CashDeposited: 0 } })).toThrow(
    /eventVersions.CashDeposited/,
  );
  expect(supervised({ ...base, eventVersions, upcasters }).id).toBe("eventsourcing");
});

forEachStore("writing events that evolve", (kind) => {
  const systems = useSystems(kind);

  it("refuses to write a type an upcaster reads at its current version, so live state never differs from replay", async () => {
    const { store } = await systems.store();
    // Still emits the renamed-away MoneyDeposited, which every read would turn into CashDeposited.
    const stale = (wallet: Wallet | null, command: WalletCommand) =>
      command.type === "Open"
        ? handle(wallet, command)
        : ok([
            {
              type: "MoneyDeposited",
              amount: `${command.amount} ${command.currency}`,
            } as unknown as WalletEvent,
          ]);
    const wallet = systems.track(await start(walletConfig(store, { handle: stale })));
    expectOk(await wallet.execute("w", { type: "Open" }));
    const refused = await wallet.execute("w", { type: "Deposit", amount: 5, currency: "EUR" });
    expect(!refused.ok && refused.error).toMatchObject({
      type: "EventStoreError",
      message: expect.stringContaining('an upcaster reads event type "MoneyDeposited" at version 1'),
    });
    expect((await store.readAll(0n, 10)).map((row) => row.eventType)).toEqual(["WalletOpened"]);
  });

  it("refuses an upcaster's payload that JSON would change, naming the type and version", async () => {
    const { store } = await systems.store();
    const nan: Upcaster[] = [
      upcasters[0] as Upcaster,
      {
        eventType: "CashDeposited",
        fromVersion: 2,
        upcast: (payload) => ({ payload: { ...(payload as object), amount: Number.NaN, currency: "EUR" } }),
      },
    ];
    await writeOld(store, "w", [opened, v1Deposit("1 EUR")]);
    const wallet = systems.track(await start(walletConfig(store, { upcasters: nan })));
    const loaded = await wallet.loadEvents("w");
    expect(!loaded.ok && loaded.error).toMatchObject({
      type: "EventStoreError",
      message: expect.stringMatching(
        /"MoneyDeposited" from version 1 gave a payload JSON cannot hold: .*NaN/,
      ),
    });
  });
});

it("refuses at construction versions no store can hold, upcaster keys it does not know, and odd aggregateTypes", () => {
  const base = { store: memoryStore(), aggregateType: "wallet", emptyState: null, handle, apply };
  const refusal = (config: Record<string, unknown>) => {
    try {
      supervised({ ...base, ...config } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      return (error as Error).message;
    }
    return expect.fail("accepted");
  };
  expect(refusal({ eventVersions: { CashDeposited: 2 ** 31 } })).toMatch(
    /eventVersions\.CashDeposited.*at most 2147483647/,
  );
  expect(refusal({ snapshot: { frequency: 1, version: 2 ** 31 } })).toMatch(
    /snapshot\.version.*at most 2147483647/,
  );
  expect(
    refusal({
      upcasters: [{ eventType: "A", fromVersion: 1, toVersion: 2, upcast: (p: unknown) => ({ payload: p }) }],
    }),
  ).toMatch(/unknown option `upcasters\[0\]\.toVersion`/);
  expect(refusal({ queries: [{ name: "q", handle: () => {}, aggregateTypes: [""] }] })).toMatch(
    /aggregateTypes/,
  );
  expect(refusal({ queries: [{ name: "q", handle: () => {}, aggregateTypes: ["x".repeat(256)] }] })).toMatch(
    /aggregateTypes/,
  );
});
