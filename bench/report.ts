/** The rows of bench/RESULTS.md: each a figure, the bare Worker's beside it, and its target met or MISSED. */
import type { LoadResult } from "./http-load.ts";
import { median, percentile } from "./support.ts";

export interface Row {
  what: string;
  measured: string;
  baseline: string;
  compared: string;
  target: string;
  result: string;
  notes: string;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (met: boolean) => (met ? "met" : "MISSED");
const failures = (r: LoadResult) => (r.errors + r.non2xx > 0 ? `${r.errors} errors, ${r.non2xx} non-2xx` : "");

/** One-at-a-time latency against a baseline's: the p50s may differ by at most `maxExtraMs`. */
export function latencyRow(what: string, samples: number[], baseline: { label: string; samples: number[] }, maxExtraMs: number, notes = ""): Row {
  const extra = median(samples) - median(baseline.samples);
  return {
    what,
    measured: `p50 ${ms(median(samples))}, p99 ${ms(percentile(samples, 99))}`,
    baseline: `${baseline.label} p50 ${ms(median(baseline.samples))}`,
    compared: `${extra >= 0 ? "+" : ""}${ms(extra)}`,
    target: `<= +${maxExtraMs} ms`,
    result: verdict(extra <= maxExtraMs),
    notes: `${samples.length} samples${notes ? `; ${notes}` : ""}`,
  };
}

/** Requests per second under load as a ratio to the bare Worker's; `minRatio` undefined for the baseline itself. */
export function throughputRow(what: string, result: LoadResult, bare: LoadResult, minRatio?: number, notes = ""): Row {
  const ratio = result.rps / bare.rps;
  const failed = failures(result);
  return {
    what,
    measured: `${result.rps.toFixed(0)} req/s (p50 ${result.p50} ms, p99 ${result.p99} ms)`,
    baseline: minRatio === undefined ? "" : `bare ${bare.rps.toFixed(0)} req/s`,
    compared: minRatio === undefined ? "1.00x" : `${ratio.toFixed(2)}x`,
    target: minRatio === undefined ? "baseline" : `>= ${minRatio}x`,
    // Failed requests are fast: a row with any is not comparable, whatever its ratio.
    result: minRatio === undefined ? "" : verdict(ratio >= minRatio && !failed),
    notes: [failed, notes].filter(Boolean).join("; "),
  };
}

export const infoRow = (what: string, measured: string, notes = ""): Row => ({ what, measured, baseline: "", compared: "", target: "", result: "", notes });

export function markdownTable(rows: Row[]): string {
  const header = ["what", "measured", "baseline", "vs baseline", "target", "result", "notes"];
  const lines = [header, header.map(() => "---"), ...rows.map((r) => [r.what, r.measured, r.baseline, r.compared, r.target, r.result, r.notes])];
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
