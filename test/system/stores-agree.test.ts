/**
 * Guarantee 13, stores agree: the same random sequence of public calls, run on memory, SQLite and
 * PostgreSQL, gets the same answers from all three (values and error types). Two systems run on two
 * handles of one database, opened both ways the README allows (SQLite: a path and a given `Database`;
 * PostgreSQL: a connection string and a given `pg.Pool`), with snapshots on, and a third system of
 * another aggregate type on the same store, whose streams share ids with theirs but nothing else. Inputs the public API must
 * refuse (bad ids, metadata that is not `Record<string, string>`) are generated too: they must be refused
 * alike. Positions are compared by order, since PostgreSQL's identity may skip numbers.
 */
import Database from "better-sqlite3";
import fc from "fast-check";
import pg from "pg";
import { expect, it } from "vitest";
import type { EventStore } from "../../src/core/event-store.js";
import { type EventSourcing, err, frequency, type Metadata, ok, start } from "../../src/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { sqliteStore } from "../../src/stores/sqlite/index.js";
import { describePostgres, dropSchema, freshSchemaName, postgresUrl } from "../support/postgres.js";
import { createSqliteTestStore } from "../support/sqlite.js";
import { quiet, until } from "../support/system.js";

// ---- the domain: a tally with notes, domain errors, no-ops and multi-event commits ----------------

type Command =
  | { readonly kind: "add"; readonly n: number; readonly note: string }
  | { readonly kind: "many"; readonly k: number }
  | { readonly kind: "fail" }
  | { readonly kind: "noop" };
type Event = { type: "Added"; n: number; note: string; order: Record<string, number> };
type State = { total: number; notes: string[]; keys: string[] };

const emptyState: State = { total: 0, notes: [], keys: [] };
const handle = (state: State, command: Command) => {
  switch (command.kind) {
    case "add":
      return ok([
        {
          type: "Added" as const,
          n: command.n,
          note: command.note,
          order: { z: 1, [command.note]: 2, a: 3 },
        },
      ]);
    case "many":
      return ok(
        Array.from({ length: command.k }, (_, i) => ({
          type: "Added" as const,
          n: i,
          note: "",
          order: { b: i },
        })),
      );
    case "fail":
      return err(`refused at ${state.total}`);
    default:
      return ok([]);
  }
};
const apply = (state: State, event: Event): State => ({
  total: state.total + event.n,
  notes: [...state.notes, event.note],
  keys: [...state.keys, ...Object.keys(event.order)],
});

type System = EventSourcing<State, Command, Event, string>;

// ---- the calls ---------------------------------------------------------------------------------

/** Ids that are valid but odd, and ids that are not valid. */
const oddIds = [
  "a",
  "b",
  " ",
  "ü",
  "e\u0301",
  "😀",
  "'; DROP TABLE events; --",
  "%_\\",
  "a".repeat(1_024),
  "a".repeat(1_025),
  // 1,024 characters, 3,072 bytes of UTF-8 that do not compress: over PostgreSQL's btree key limit.
  Array.from({ length: 1_024 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7_919) % 20_000))).join(""),
  "",
  "acct-\ud800",
  "acct-\udc00",
  "nul\u0000",
];
const id = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "b", "c") },
  { weight: 2, arbitrary: fc.constantFrom(...oddIds) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
);
const text = fc.oneof(
  fc.constantFrom("", "plain", "\u0000", "\ud800", "😀", "\\u0000", "__proto__", "constructor"),
  fc.string({ unit: "binary", maxLength: 8 }),
);
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      n: fc.integer({ min: -5, max: 5 }),
      note: text,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("many" as const), k: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "fail" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "noop" as const }) },
);
const metadata: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.dictionary(text, text, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("x", 42, [1, 2], { n: 1 }, null) },
);
const extreme = fc.oneof(
  fc.integer({ min: -3, max: 8 }),
  fc.constantFrom(
    Number.NaN,
    1.5,
    -0.5,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    2 ** 53,
    1e308,
    -1e308,
  ),
);
/** Systems 0 and 1 share a type on two handles; system 2 is of another type, on the first handle. */
const system = fc.integer({ min: 0, max: 2 });

type Call =
  | {
      readonly call: "execute";
      readonly system: number;
      readonly id: string;
      readonly command: Command;
      readonly metadata: unknown;
    }
  | {
      readonly call: "loadEvents" | "loadAggregate" | "aggregateStats" | "latestSnapshot";
      readonly system: number;
      readonly id: string;
    }
  | { readonly call: "loadEventsFrom"; readonly system: number; readonly id: string; readonly from: number };

const call: fc.Arbitrary<Call> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ call: fc.constant("execute" as const), system, id, command, metadata }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      call: fc.constantFrom(
        "loadEvents" as const,
        "loadAggregate" as const,
        "aggregateStats" as const,
        "latestSnapshot" as const,
      ),
      system,
      id,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ call: fc.constant("loadEventsFrom" as const), system, id, from: extreme }),
  },
);

// ---- running them ------------------------------------------------------------------------------

interface Opened {
  readonly stores: readonly [EventStore, EventStore];
  cleanup(): Promise<void>;
}

const kinds: Record<string, () => Promise<Opened>> = {
  async memory() {
    const store = memoryStore();
    return { stores: [store, store], cleanup: () => store.close() };
  },
  async sqlite() {
    const created = await createSqliteTestStore();
    const database = new Database(created.path);
    const other = sqliteStore({ database });
    return {
      stores: [created.store, other],
      async cleanup() {
        await other.close();
        database.close();
        await created.cleanup();
      },
    };
  },
  async postgres() {
    const schema = freshSchemaName("es_agree");
    const first = postgresStore({ connectionString: postgresUrl, schema, max: 2 });
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
    pool.on("error", () => undefined);
    const other = postgresStore({ pool, schema });
    return {
      stores: [first, other],
      async cleanup() {
        await first.close();
        await other.close();
        await pool.end();
        await dropSchema(schema);
      },
    };
  },
};

const every2 = (() => {
  const made = frequency(2);
  if (!made.ok) throw new Error("frequency(2) refused");
  return made.value;
})();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** An answer with what may differ between stores taken out: times, event ids, causes and store messages. */
function normalize(value: unknown): unknown {
  if (value instanceof Date) return "<date>";
  if (typeof value === "bigint") return { position: value };
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, each] of Object.entries(value)) {
      if (key === "cause") continue;
      // Each store makes its own ids: they agree on being UUID v7s.
      if (key === "eventId" && typeof each === "string" && UUID_V7.test(each)) {
        out[key] = "<uuid v7>";
        continue;
      }
      if (key === "message" && (value as { type?: unknown }).type === "EventStoreError") continue;
      out[key] = normalize(each);
    }
    return out;
  }
  return value;
}

/** Positions compared by order: each replaced by its rank among all positions one store answered. */
function rankPositions(answers: unknown[]): unknown[] {
  const positions: bigint[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === "object" && value !== null) {
      if ("position" in value && typeof value.position === "bigint" && Object.keys(value).length === 1)
        positions.push(value.position);
      else Object.values(value).forEach(collect);
    }
  };
  collect(answers);
  const ranks = new Map([...new Set(positions)].sort((a, b) => (a < b ? -1 : 1)).map((p, i) => [p, i + 1]));
  const replace = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(replace);
    if (typeof value === "object" && value !== null) {
      if ("position" in value && typeof value.position === "bigint" && Object.keys(value).length === 1)
        return { position: ranks.get(value.position) };
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
    }
    return value;
  };
  return answers.map(replace);
}

async function runCalls(kind: string, calls: readonly Call[]): Promise<unknown[]> {
  const open = kinds[kind];
  if (!open) throw new Error(`no store kind ${kind}`);
  const opened = await open();
  const systems: System[] = [];
  try {
    const placed = [...opened.stores.map((store) => ({ store, aggregateType: "default" }))];
    placed.push({ store: opened.stores[0] as EventStore, aggregateType: "other" });
    for (const [i, { store, aggregateType }] of placed.entries())
      systems.push(
        await start<State, Command, Event, string>({
          id: `agree-${i}`,
          store,
          aggregateType,
          handle,
          apply,
          emptyState,
          logger: quiet,
          snapshot: { frequency: every2 },
        }),
      );
    const answers: unknown[] = [];
    const due = [0, 0, 0];
    for (const each of calls) {
      const target = systems[each.system] as System;
      let answer: unknown;
      switch (each.call) {
        case "execute":
          answer = await target.execute(
            each.id,
            each.command,
            each.metadata === undefined ? undefined : { metadata: each.metadata as Metadata },
          );
          if ((answer as { ok: boolean }).ok) {
            const { aggregate, events } = (
              answer as { value: { aggregate: { sequence: number }; events: { sequence: number }[] } }
            ).value;
            const before = (events[0]?.sequence ?? 1) - 1;
            if (events.length > 0 && Math.floor(before / 2) < Math.floor(aggregate.sequence / 2))
              due[each.system] = (due[each.system] ?? 0) + 1;
          }
          break;
        case "loadEventsFrom":
          answer = await target.loadEventsFrom(each.id, each.from);
          break;
        default:
          // Snapshots are saved after the commit, in the background: let every one due be saved first.
          await settleSnapshots(systems, due);
          answer = await target[each.call](each.id);
      }
      answers.push(normalize(answer));
    }
    return rankPositions(answers);
  } finally {
    for (const each of systems) await each.stop();
    await opened.cleanup();
  }
}

/** Waits until every snapshot due by the commits so far has been saved, failed or skipped. */
async function settleSnapshots(systems: readonly System[], due: readonly number[]): Promise<void> {
  for (const [i, each] of systems.entries()) {
    await until(async () => {
      const stats = await each.systemStats();
      return stats.snapshotsTaken + stats.snapshotFailures + stats.snapshotsSkipped >= (due[i] ?? 0);
    });
  }
}

describePostgres("stores agree", () => {
  it("answers every random sequence of public calls alike on memory, SQLite and PostgreSQL", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 14 }), async (calls) => {
        const memory = await runCalls("memory", calls);
        const sqlite = await runCalls("sqlite", calls);
        const postgres = await runCalls("postgres", calls);
        expect(sqlite).toEqual(memory);
        expect(postgres).toEqual(memory);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
