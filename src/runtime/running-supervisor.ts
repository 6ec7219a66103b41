import type { ChildContext, ChildSpec, ChildStatus, StopReason } from "./child-spec.js";
import { Mailbox } from "./mailbox.js";
import { backoffDelay, RestartWindow } from "./restart-intensity.js";
import {
  checkChildSpec,
  type Incarnation,
  type PendingRestart,
  type SupervisedChild,
  stopSupervisedChild,
  supervisedChild,
} from "./supervised-child.js";
import type { Supervisor } from "./supervisor.js";
import type { ResolvedSupervisorOptions } from "./supervisor-options.js";

type Phase = "starting" | "running" | "stopping" | "stopped" | "failed";

/**
 * The supervisor behind {@link Supervisor}. Every decision (an exit, a restart, a stop) runs as one task
 * of a mailbox, so that no two of them interleave; waits (backoff) are timers on the injected clock.
 *
 * @example
 * ```ts
 * const supervisor = new RunningSupervisor(resolveSupervisorOptions({ strategy: "one-for-one" }), [ticker], undefined);
 * await supervisor.startAll();
 * ```
 */
export class RunningSupervisor implements Supervisor {
  readonly #options: ResolvedSupervisorOptions;
  readonly #context: ChildContext | undefined;
  readonly #entries: SupervisedChild[];
  readonly #window: RestartWindow;
  readonly #tasks = new Mailbox<() => Promise<void>>(
    async (task) => {
      // Never run a decision inside the caller's stack (a child calling exit() from its own code).
      await Promise.resolve();
      await task();
    },
    (error) => this.#log("error", "internal error", undefined, error),
    (message, error) => this.#log("error", message, undefined, error),
  );
  readonly #pending = new Set<PendingRestart>();
  #phase: Phase = "starting";
  #stopping: Promise<void> | undefined;

  constructor(
    options: ResolvedSupervisorOptions,
    specs: readonly ChildSpec[],
    context: ChildContext | undefined,
  ) {
    this.#options = options;
    this.#context = context;
    this.#window = new RestartWindow(options.periodMs);
    this.#entries = specs.map(supervisedChild);
  }

  get status(): Supervisor["status"] {
    return this.#phase === "starting" ? "running" : this.#phase;
  }

  /** Starts every child in order; if one fails, stops those started (reverse order) and rejects naming it. */
  startAll(): Promise<void> {
    return this.#run(async () => {
      for (const [index, entry] of this.#entries.entries()) {
        const failure = await this.#startChild(entry);
        if (failure) {
          entry.status = "failed";
          for (const started of this.#entries.slice(0, index).reverse())
            await this.#stopChild(started, "shutdown");
          this.#phase = "stopped";
          throw startFailure(`supervisor "${this.#options.id}"`, entry.id, failure.cause);
        }
      }
      this.#phase = "running";
    });
  }

  startChild(spec: ChildSpec): Promise<void> {
    const where = `supervisor "${this.#options.id}": startChild()`;
    try {
      checkChildSpec(spec, where);
      this.#checkRunning(where);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(async () => {
      this.#checkRunning(where);
      if (this.#entries.some((entry) => entry.id === spec.id)) {
        throw new Error(
          `${where}: a child with id "${spec.id}" is already supervised; give each child its own id`,
        );
      }
      const entry = supervisedChild(spec);
      this.#entries.push(entry);
      const failure = await this.#startChild(entry);
      if (failure) {
        this.#entries.splice(this.#entries.indexOf(entry), 1);
        throw startFailure(where, spec.id, failure.cause);
      }
    });
  }

  #checkRunning(where: string): void {
    if (this.#phase !== "running") throw new Error(`${where}: the supervisor is ${this.status}, not running`);
  }

  children(): readonly ChildStatus[] {
    return Object.freeze(
      this.#entries.map(({ id, status, restarts }) => Object.freeze({ id, status, restarts })),
    );
  }

  stop(reason: StopReason = "shutdown"): Promise<void> {
    this.#stopping ??= this.#stop(reason);
    return this.#stopping;
  }

  async #stop(reason: StopReason): Promise<void> {
    if (this.#phase === "running") this.#phase = "stopping";
    this.#cancelPendingRestarts();
    await this.#run(async () => {
      // A failed supervisor has already stopped its children while escalating.
      if (this.#phase !== "stopping") return;
      await this.#stopAll(reason);
      this.#phase = "stopped";
    });
  }

  #run(task: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#tasks.post(() => task().then(resolve, reject));
    });
  }

  /** Runs a task nobody awaits: a failure, which would be a defect of the supervisor, is logged. */
  #runDetached(task: () => Promise<void>): void {
    this.#run(task).catch((error: unknown) => this.#log("error", "internal error", undefined, error));
  }

  /**
   * A line through the supervisor's logger: its text names the supervisor (and the child), its context
   * holds both ids and, for a failure, `err`. A missing level, or a logger that throws, says nothing.
   */
  #log(level: "debug" | "info" | "warn" | "error", message: string, child?: string, err?: unknown): void {
    const logger = this.#options.logger;
    const write = logger[level];
    if (typeof write !== "function") return;
    const supervisor = this.#options.id;
    const context: { supervisor: string; child?: string; err?: unknown } = { supervisor };
    if (child !== undefined) context.child = child;
    if (err !== undefined) context.err = err;
    const subject = child === undefined ? "" : `child "${child}" `;
    try {
      write.call(logger, `supervisor "${supervisor}": ${subject}${message}`, Object.freeze(context));
    } catch {
      // A logger that throws must not stop a supervisor.
    }
  }

  /** Starts one incarnation of a child; resolves with the cause when its start fails. */
  async #startChild(entry: SupervisedChild): Promise<{ cause: unknown } | undefined> {
    const incarnation: Incarnation = { ended: false, running: undefined };
    entry.current = incarnation;
    entry.status = "starting";
    let cause: unknown;
    try {
      const running = await entry.spec.start(this.#contextFor(entry, incarnation));
      if (typeof running?.stop === "function") {
        incarnation.running = running;
        entry.status = "running";
        this.#log(
          "debug",
          entry.restarts === 0 ? "started" : `started again (restart ${entry.restarts})`,
          entry.id,
        );
        return undefined;
      }
      cause = new TypeError(`child "${entry.id}": start() must resolve to an object with a stop() method`);
    } catch (error) {
      cause = error;
    }
    // A child that reported its exit while starting is handled by that exit, which is already queued.
    if (incarnation.ended) return undefined;
    incarnation.ended = true;
    entry.current = undefined;
    return { cause };
  }

  #contextFor(entry: SupervisedChild, incarnation: Incarnation): ChildContext {
    return {
      exit: (reason?: unknown) => {
        if (incarnation.ended || entry.current !== incarnation) return;
        incarnation.ended = true;
        this.#runDetached(() => this.#onExit(entry, incarnation, reason));
      },
    };
  }

  async #onExit(entry: SupervisedChild, incarnation: Incarnation, reason: unknown): Promise<void> {
    if (this.#phase !== "running" || entry.current !== incarnation) return;
    entry.current = undefined;
    const crashed = reason !== undefined;
    if (entry.temporary || (entry.transient && !crashed)) {
      entry.status = "stopped";
      return;
    }
    await this.#restart(entry, reason);
  }

  /** `entry` ended and must come back: restarts it and the siblings its strategy names, or escalates. */
  async #restart(entry: SupervisedChild, reason: unknown): Promise<void> {
    const { clock, intensity, initialBackoffMs, maxBackoffMs } = this.#options;
    const nth = this.#window.record(clock.now());
    if (nth > intensity) return this.#escalate(entry, reason, nth);
    const group = this.#groupOf(entry);
    for (const sibling of [...group].reverse()) {
      if (sibling !== entry) await this.#stopChild(sibling, sibling.temporary ? "shutdown" : "restart");
    }
    // As in OTP, siblings are restarted whatever their restart type, except temporary ones, which stay stopped.
    const members = group.filter((member) => member === entry || !member.temporary);
    for (const member of members) member.status = "restarting";
    const delay = backoffDelay(nth, initialBackoffMs, maxBackoffMs);
    this.#log(
      "info",
      `${reason === undefined ? "exited" : "crashed"}; restarting in ${delay} ms ` +
        `(${nth} of at most ${intensity} restarts within ${this.#options.periodMs} ms` +
        `${members.length > 1 ? `, with ${members.length - 1} siblings` : ""})`,
      entry.id,
      reason,
    );
    const restart: PendingRestart = { members: new Set(members), timer: undefined };
    for (const member of members) this.#claim(member, restart);
    this.#pending.add(restart);
    restart.timer = clock.setTimeout(() => {
      this.#pending.delete(restart);
      this.#runDetached(() => this.#startGroup(restart));
    }, delay);
  }

  #groupOf(entry: SupervisedChild): readonly SupervisedChild[] {
    switch (this.#options.strategy) {
      case "one-for-one":
        return [entry];
      case "one-for-all":
        return this.#entries;
      case "rest-for-one":
        return this.#entries.slice(this.#entries.indexOf(entry));
    }
  }

  /** Hands `entry` to `restart`; an earlier pending restart left with no member is cancelled. */
  #claim(entry: SupervisedChild, restart: PendingRestart): void {
    const previous = entry.pending;
    entry.pending = restart;
    if (!previous || previous === restart) return;
    previous.members.delete(entry);
    if (previous.members.size === 0 && previous.timer !== undefined) {
      this.#options.clock.clearTimeout(previous.timer);
      this.#pending.delete(previous);
    }
  }

  async #startGroup(restart: PendingRestart): Promise<void> {
    for (const entry of this.#entries) {
      if (this.#phase !== "running") return;
      if (entry.pending !== restart) continue;
      entry.pending = undefined;
      entry.restarts++;
      const failure = await this.#startChild(entry);
      // A start that fails is another crash: the members not yet started are taken over by that restart.
      if (failure && this.#phase === "running") return this.#restart(entry, failure.cause);
    }
  }

  async #escalate(entry: SupervisedChild, reason: unknown, restarts: number): Promise<void> {
    const { id, intensity, periodMs } = this.#options;
    this.#phase = "failed";
    this.#cancelPendingRestarts();
    await this.#stopAll("shutdown");
    entry.status = "failed";
    const error = new Error(
      `supervisor "${id}" gave up: child "${entry.id}" exceeded the restart intensity ` +
        `(${restarts} restarts within ${periodMs} ms, at most ${intensity} allowed)`,
      { cause: reason },
    );
    try {
      // A parent that asked this supervisor to stop meanwhile expects no exit from it.
      if (this.#context) {
        if (this.#stopping === undefined) this.#context.exit(error);
      } else this.#options.onEscalate(error);
    } catch (thrown) {
      this.#log("error", "reporting its escalation threw", undefined, thrown);
    }
  }

  #cancelPendingRestarts(): void {
    for (const restart of this.#pending) {
      if (restart.timer !== undefined) this.#options.clock.clearTimeout(restart.timer);
    }
    this.#pending.clear();
    for (const entry of this.#entries) entry.pending = undefined;
  }

  async #stopAll(reason: StopReason): Promise<void> {
    for (const entry of [...this.#entries].reverse()) {
      await this.#stopChild(entry, reason);
      entry.status = "stopped";
    }
  }

  /** Stops the running incarnation of `entry`, if any; a child whose stop rejects is logged, never rethrown. */
  #stopChild(entry: SupervisedChild, reason: StopReason): Promise<void> {
    if (entry.current?.running) this.#log("debug", `stopping (${reason})`, entry.id);
    return stopSupervisedChild(entry, reason, (error) =>
      this.#log("error", "failed to stop", entry.id, error),
    );
  }
}

/** The error of a failed start: it names the child and repeats its cause's message, kept as `cause`. */
function startFailure(where: string, childId: string, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${where} could not start child "${childId}": ${detail}`, { cause });
}
