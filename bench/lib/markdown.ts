/**
 * The results as Markdown tables, for bench/RESULTS.md (`npm run bench -- --markdown <file>`).
 */
import { median, type Series, spreadPercent } from "./measure.js";
import { describeTarget, modeLabel, type SectionResult } from "./report.js";

/**
 * A table of commands per second and a list of targets for each section.
 *
 * @example
 * ```ts
 * writeFileSync("results.md", toMarkdown(results));
 * ```
 */
export function toMarkdown(results: readonly SectionResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`### ${result.title}`, "");
    lines.push(
      "| contender | mode | accounts | median commands/s | min | max | spread | rounds | peak RSS | heap retained |",
    );
    lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const one of result.series) lines.push(row(one));
    lines.push("", "| target | ratio | spreads | met |", "| --- | ---: | ---: | --- |");
    for (const outcome of result.outcomes) {
      const measured = !Number.isNaN(outcome.ratio);
      const ratio = measured ? `${outcome.ratio.toFixed(2)}x` : "not measured";
      const spreads = measured
        ? `${outcome.numeratorSpread.toFixed(0)}% / ${outcome.denominatorSpread.toFixed(0)}%`
        : "";
      const rss = outcome.peakRssMb === undefined ? "" : `, peak RSS ${outcome.peakRssMb.toFixed(0)} MB`;
      const met = outcome.met === null ? "reference" : outcome.met ? "yes" : "**no**";
      lines.push(`| ${describeTarget(outcome)} | ${ratio}${rss} | ${spreads} | ${met} |`);
    }
    if (result.figures !== undefined && result.figures.length > 0)
      lines.push("", ...result.figures.map((figure) => `- ${figure}`));
    lines.push("");
  }
  return lines.join("\n");
}

function row(one: Series): string {
  const rates = one.runs.map((run) => run.perSecond);
  const format = (value: number) => Math.round(value).toLocaleString("en-US");
  const rss = one.peakRssMb === undefined ? "" : `${one.peakRssMb.toFixed(0)} MB`;
  const retained = one.retainedMb === undefined ? "" : `${one.retainedMb.toFixed(0)} MB`;
  return `| ${one.contender} | ${modeLabel(one.mode)} | ${one.accounts.toLocaleString("en-US")} | ${format(median(one))} | ${format(Math.min(...rates))} | ${format(Math.max(...rates))} | ${spreadPercent(one).toFixed(0)}% | ${one.runs.length} | ${rss} | ${retained} |`;
}
