/**
 * The printed results: a table per store, and each target's ratio with whether it is met.
 */
import { type Mode, WINDOW } from "./contender.js";
import { formatRate, median, type Series, spreadPercent } from "./measure.js";

/** Which series a ratio reads: a contender in a mode, at a number of accounts. */
export interface SeriesRef {
  readonly contender: string;
  readonly mode: Mode;
  readonly accounts: number;
}

/**
 * `numerator / denominator >= atLeast`, on the medians, and, with `peakRssBelowMb`, the numerator's peak
 * resident memory under that bound. Without `atLeast` the ratio is printed for reference only.
 */
export interface Target {
  readonly numerator: SeriesRef;
  readonly denominator: SeriesRef;
  readonly atLeast?: number;
  readonly peakRssBelowMb?: number;
}

/**
 * A target once measured; `ratio` is NaN when a side did not run. `met` is null for a reference ratio.
 * The spreads are those of the two series ((max - min) / median, percent).
 */
export interface TargetOutcome extends Target {
  readonly ratio: number;
  readonly met: boolean | null;
  readonly numeratorSpread: number;
  readonly denominatorSpread: number;
  readonly peakRssMb?: number;
}

/** The series and target outcomes of a section. */
export interface SectionResult {
  readonly title: string;
  readonly series: readonly Series[];
  readonly outcomes: readonly TargetOutcome[];
  /** Figures that are not commands per second (memory per idle aggregate ...), one line each. */
  readonly figures?: readonly string[];
}

/**
 * Prints the series of one section as a table.
 *
 * @example
 * ```ts
 * printTable("Memory", series);
 * ```
 */
export function printTable(title: string, series: readonly Series[]): void {
  console.log(`\n${title}`);
  console.log(
    `  ${"contender".padEnd(28)} ${"mode".padEnd(15)} ${"accounts".padStart(8)}  ${"median/s".padStart(11)}  ${"min/s".padStart(11)}  ${"max/s".padStart(11)}  spread  peak RSS  heap retained`,
  );
  for (const one of series) {
    const rates = one.runs.map((run) => run.perSecond);
    const rss = one.peakRssMb === undefined ? "" : `${one.peakRssMb.toFixed(0)} MB`.padStart(8);
    const retained = one.retainedMb === undefined ? "" : `${one.retainedMb.toFixed(0)} MB`.padStart(13);
    console.log(
      `  ${one.contender.padEnd(28)} ${modeLabel(one.mode).padEnd(15)} ${one.accounts.toLocaleString("en-US").padStart(8)}  ${formatRate(median(one))}  ${formatRate(Math.min(...rates))}  ${formatRate(Math.max(...rates))}  ${spreadPercent(one).toFixed(0).padStart(5)}%  ${rss}  ${retained}`,
    );
  }
}

/**
 * Computes and prints each target against the measured series: the ratio of the medians, met or
 * missed, and the spread of each side.
 *
 * @example
 * ```ts
 * const outcomes = printTargets(series, [{ numerator, denominator, atLeast: 5 }]);
 * ```
 */
export function printTargets(series: readonly Series[], targets: readonly Target[]): TargetOutcome[] {
  const find = (ref: SeriesRef) =>
    series.find(
      (one) => one.contender === ref.contender && one.mode === ref.mode && one.accounts === ref.accounts,
    );
  return targets.map((target) => {
    const top = find(target.numerator);
    const bottom = find(target.denominator);
    const ratio = top === undefined || bottom === undefined ? Number.NaN : median(top) / median(bottom);
    const peakRssMb = top?.peakRssMb;
    const rssMet =
      target.peakRssBelowMb === undefined || (peakRssMb !== undefined && peakRssMb < target.peakRssBelowMb);
    const met = target.atLeast === undefined ? null : ratio >= target.atLeast && rssMet;
    const outcome: TargetOutcome = {
      ...target,
      ratio,
      met,
      numeratorSpread: top === undefined ? Number.NaN : spreadPercent(top),
      denominatorSpread: bottom === undefined ? Number.NaN : spreadPercent(bottom),
      ...(peakRssMb === undefined ? {} : { peakRssMb }),
    };
    console.log(`  ${describeTarget(outcome)} = ${describeOutcome(outcome)}`);
    return outcome;
  });
}

/** `contender mode accounts`, as the target lines name a series. */
export function describe(ref: SeriesRef): string {
  return `${ref.contender} ${modeLabel(ref.mode)} ${ref.accounts.toLocaleString("en-US")}`;
}

/** A mode as the tables print it. */
export function modeLabel(mode: Mode): string {
  return mode === "windowed" ? `${WINDOW.toLocaleString("en-US")} in flight` : mode;
}

/** What a target asks: `a / b >= 5x`, with its memory bound, or `a / b (reference)`. */
export function describeTarget(target: Target): string {
  const bound = target.peakRssBelowMb === undefined ? "" : `, peak RSS < ${target.peakRssBelowMb} MB`;
  const goal = target.atLeast === undefined ? " (reference)" : ` >= ${target.atLeast}x${bound}`;
  return `${describe(target.numerator)} / ${describe(target.denominator)}${goal}`;
}

/** The measured side of a target: ratio, spreads, peak RSS against its bound, verdict. */
export function describeOutcome(outcome: TargetOutcome): string {
  if (Number.isNaN(outcome.ratio)) return "not measured";
  const spreads = `spreads ${outcome.numeratorSpread.toFixed(0)}% / ${outcome.denominatorSpread.toFixed(0)}%`;
  const rss =
    outcome.peakRssBelowMb === undefined
      ? ""
      : `, peak RSS ${outcome.peakRssMb === undefined ? "?" : outcome.peakRssMb.toFixed(0)} MB of ${outcome.peakRssBelowMb}`;
  const verdict = outcome.met === null ? "" : outcome.met ? ": met" : ": MISSED";
  return `${outcome.ratio.toFixed(2)}x (${spreads}${rss})${verdict}`;
}
