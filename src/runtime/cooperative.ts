/**
 * Cooperative scheduling: long runs of work that continue only through promise callbacks (microtasks)
 * would starve timers and I/O, since Node runs every queued microtask before anything else. The hot
 * loops of the runtime (a mailbox between messages, group commit between store calls) ask {@link
 * yieldDue} at each step; once the current slice of continuous work has lasted {@link SLICE_MS}, it
 * answers true and the caller hands its continuation to {@link deferToEventLoop}. Deferred work runs
 * again from a `setImmediate`, in arrival order, after timers and I/O have had their turn.
 *
 * The cost on the hot path is a counter: the clock is read once every {@link CHECK_EVERY} steps, and a
 * slice is closed by one `setImmediate` per turn of the event loop in which work happened.
 */

/**
 * How long work may run without handing over to the event loop, in ms. The promise callbacks a slice's
 * answers queue run after it too, so a turn of the event loop can last about twice this; 5 keeps a
 * burst of quick commands (100,000 domain errors to one aggregate: a few slices) from holding timers
 * back for tens of ms, for one `setImmediate` per slice.
 */
export const SLICE_MS = 5;
/** How many steps pass between two looks at the clock; a slice also holds at least this many steps. */
export const CHECK_EVERY = 64;
/** Deferred continuations resumed at once, before the time is looked at again. */
const RESUME_CHUNK = 64;

let steps = 0;
/** When the open slice began (`performance.now()`), or -1 when no slice is open. */
let sliceStart = -1;
/** Set once the open slice has run out: every step defers until the next slice. */
let over = false;
let immediatePending = false;
let queue: (() => void)[] = [];
let head = 0;

/**
 * Whether the caller should hand over to the event loop before its next step: true once the current
 * slice of continuous work has lasted {@link SLICE_MS}. Cheap enough to call for every message.
 */
export function yieldDue(): boolean {
  if (over) return true;
  if (++steps < CHECK_EVERY) return false;
  steps = 0;
  const now = performance.now();
  if (sliceStart < 0) {
    openSlice(now);
    return false;
  }
  if (now - sliceStart < SLICE_MS) return false;
  over = true;
  return true;
}

/**
 * Runs `continuation` after the event loop has had its turn (timers, I/O), in the order deferred.
 * Use after {@link yieldDue} answered true. If it throws, `report` hears of it (default: `console.error`).
 */
export function deferToEventLoop(
  continuation: () => void,
  report?: (message: string, error: unknown) => void,
): void {
  queue.push(
    report === undefined
      ? continuation
      : () => {
          try {
            continuation();
          } catch (error) {
            report("a deferred continuation threw", error);
          }
        },
  );
  if (!immediatePending) {
    immediatePending = true;
    setImmediate(endSlice);
  }
}

/** A promise that resolves after the event loop has had its turn; for async loops. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => deferToEventLoop(resolve));
}

function openSlice(now: number): void {
  sliceStart = now;
  steps = 0;
  if (!immediatePending) {
    immediatePending = true;
    setImmediate(endSlice);
  }
}

/** The event loop came round: the slice is over; resume deferred work in a fresh one. */
function endSlice(): void {
  immediatePending = false;
  sliceStart = -1;
  steps = 0;
  over = false;
  if (head < queue.length) {
    openSlice(performance.now());
    resume();
  }
}

/**
 * Resumes deferred continuations a chunk at a time. Each chunk's promise callbacks run before the next
 * chunk (queued as a microtask behind them) looks at the clock, so a slice stays near its length even
 * when resuming means resolving promises.
 */
function resume(): void {
  const end = Math.min(queue.length, head + RESUME_CHUNK);
  while (head < end) {
    const continuation = queue[head] as () => void;
    queue[head++] = noop;
    try {
      continuation();
    } catch (error) {
      console.error("cooperative scheduling: a deferred continuation threw", error);
    }
  }
  if (head === queue.length) {
    queue = [];
    head = 0;
    return;
  }
  if (head >= 1_024 && head * 2 >= queue.length) {
    queue = queue.slice(head);
    head = 0;
  }
  if (over || performance.now() - sliceStart >= SLICE_MS) {
    over = true;
    return; // the slice's setImmediate (opened in endSlice) resumes the rest
  }
  queueMicrotask(resume);
}

const noop = (): void => undefined;
