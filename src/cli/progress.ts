/**
 * Progress of long work (export, import, migrate) on stderr: a bar with done/total, rate and time
 * left on a terminal (cli-progress), plain periodic lines otherwise, so logs stay readable.
 */
import type { Writable } from "node:stream";
import cliProgress from "cli-progress";

/** How often a plain line is printed when stderr is not a terminal. */
const PLAIN_EVERY_MS = 2_000;

/** Progress of one piece of work, counted in events (or in bytes read, for an import). */
export class Progress {
  readonly #stream: Writable & { readonly isTTY?: boolean };
  readonly #label: string;
  readonly #total: number;
  readonly #unit: string;
  readonly #started = performance.now();
  readonly #bar: cliProgress.SingleBar | undefined;
  #lastLine = this.#started;
  #events = 0;

  /** `total` in `unit`s (events, or bytes of the input); `0` when unknown. */
  constructor(
    stream: Writable & { readonly isTTY?: boolean },
    label: string,
    total: number,
    unit = "events",
  ) {
    this.#stream = stream;
    this.#label = label;
    this.#total = total;
    this.#unit = unit;
    if (stream.isTTY) {
      this.#bar = new cliProgress.SingleBar(
        {
          stream,
          format:
            unit === "events"
              ? `${label} [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | {eta_formatted} left`
              : `${label} [{bar}] {percentage}% | {events} events | {speed} events/s | {eta_formatted} left`,
          hideCursor: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(Math.max(total, 1), 0, { speed: "0", events: 0 });
    }
  }

  /** Events per second so far. */
  get rate(): number {
    const seconds = (performance.now() - this.#started) / 1_000;
    return seconds > 0 ? this.#events / seconds : 0;
  }

  /** Seconds since the start. */
  get seconds(): number {
    return (performance.now() - this.#started) / 1_000;
  }

  /** `done` units of `total`, and `events` handled so far. */
  update(done: number, events: number): void {
    this.#events = events;
    const speed = Math.round(this.rate);
    if (this.#bar !== undefined) {
      this.#bar.update(done, { speed: String(speed), events });
      return;
    }
    const now = performance.now();
    if (now - this.#lastLine < PLAIN_EVERY_MS) return;
    this.#lastLine = now;
    this.#stream.write(`${this.#plain(done, events)}\n`);
  }

  /** Ends the bar (or prints nothing more); the caller prints the summary. */
  stop(): void {
    this.#bar?.stop();
  }

  #plain(done: number, events: number): string {
    const rate = this.rate;
    const eventsPart = this.#unit === "events" ? `${done}/${this.#total || "?"} events` : `${events} events`;
    const share = this.#total > 0 ? ` (${Math.floor((done / this.#total) * 100)}%)` : "";
    let left = "";
    if (this.#total > 0 && done > 0) {
      const seconds = (this.seconds * (this.#total - done)) / done;
      left = `, about ${Math.ceil(seconds)} s left`;
    }
    return `${this.#label}: ${eventsPart}${share}, ${Math.round(rate)} events/s${left}`;
  }
}
