/**
 * The printed results: a table per store, and each target's ratio with whether it is met.
 */
import type { Mode } from "./contender.js";
import { formatRate, median, type Series, spreadPercent } from "./measure.js";

/** Which series a ratio reads: a contender in a mode, at a number of accounts. */
export interface SeriesRef {
  readonly contender: string;
  readonly mode: Mode;
  readonly accounts: number;
}

/** `numerator / denominator >= atLeast`, on the medians. */
export interface Target {
  readonly numerator: SeriesRef;
  readonly denominator: SeriesRef;
  readonly atLeast: number;
}

/** A target once measured; `ratio` is NaN when a side did not run. */
export interface TargetOutcome extends Target {
  readonly ratio: number;
  readonly met: boolean;
}

/** The series and target outcomes of a section. */
export interface SectionResult {
  readonly title: string;
  readonly series: readonly Series[];
  readonly outcomes: readonly TargetOutcome[];
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
    `  ${"contender".padEnd(22)} ${"mode".padEnd(10)} ${"accounts".padStart(8)}  ${"median/s".padStart(11)}  ${"min/s".padStart(11)}  ${"max/s".padStart(11)}  spread  peak RSS  heap retained`,
  );
  for (const one of series) {
    const rates = one.runs.map((run) => run.perSecond);
    const rss = one.peakRssMb === undefined ? "" : `${one.peakRssMb.toFixed(0)} MB`.padStart(8);
    const retained = one.retainedMb === undefined ? "" : `${one.retainedMb.toFixed(0)} MB`.padStart(13);
    console.log(
      `  ${one.contender.padEnd(22)} ${one.mode.padEnd(10)} ${one.accounts.toLocaleString("en-US").padStart(8)}  ${formatRate(median(one))}  ${formatRate(Math.min(...rates))}  ${formatRate(Math.max(...rates))}  ${spreadPercent(one).toFixed(0).padStart(5)}%  ${rss}  ${retained}`,
    );
  }
}

/**
 * Computes and prints each target against the measured series.
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
    const met = ratio >= target.atLeast;
    const verdict = Number.isNaN(ratio) ? "not measured" : met ? "met" : "MISSED";
    console.log(
      `  ${describe(target.numerator)} / ${describe(target.denominator)} = ${Number.isNaN(ratio) ? "-" : ratio.toFixed(2)}x  (target >= ${target.atLeast}x): ${verdict}`,
    );
    return { ...target, ratio, met };
  });
}

/** `contender mode accounts`, as the target lines name a series. */
export function describe(ref: SeriesRef): string {
  return `${ref.contender} ${ref.mode} ${ref.accounts.toLocaleString("en-US")}`;
}
