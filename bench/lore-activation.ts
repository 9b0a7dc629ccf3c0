/**
 * CPU time of one lorebook activation (workers/lore/activate.ts) over bench/lore-book.ts's 1,000 entries
 * and a scan depth of 10 messages, with recursion on and the real tokenizer counting the inserted
 * entries. The book is prepared once (`prepareBooks`, timed apart), as a Worker caches it. Prints p50 /
 * p95 / max CPU ms per activation over LORE_BENCH_RUNS (300) runs after 30 warm-up runs; with `--json`,
 * one JSON line instead.
 *
 * The engine's imports have no extensions (wrangler's esbuild resolves them), which plain `node` cannot
 * load: `npm run bench` bundles this file with esbuild and runs the bundle with Node
 * (bench/rows/lore.ts). Alone: `npx tsx bench/lore-activation.ts`.
 */
import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import { activateLore } from "../workers/lore/activate";
import { prepareBooks } from "../workers/lore/prepare";
import { seededRng } from "../workers/lore/rng";
import { benchBook, benchMessages, LORE_ENTRIES, LORE_SCAN_DEPTH } from "./lore-book.ts";

const RUNS = Number(process.env.LORE_BENCH_RUNS ?? 300);
const WARMUP = 30;
const BUDGET = Number(process.env.LORE_BENCH_BUDGET ?? 2_048);

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const prepareStart = process.cpuUsage();
const lore = prepareBooks([benchBook]);
const prepareMs = cpuMs(prepareStart);

const samples: number[] = [];
const inserted: number[] = [];
const tokens: number[] = [];
const steps: number[] = [];
let regexTests = 0;
let last: ReturnType<typeof activateLore> | undefined;
for (let run = 0; run < WARMUP + RUNS; run++) {
  const start = process.cpuUsage();
  last = activateLore({
    lore,
    messages: benchMessages,
    messageIndex: 40 + run * 2,
    timeline: last ? [last.timeline] : [],
    tokenBudget: BUDGET,
    countTokens,
    rng: seededRng(run),
  });
  if (run < WARMUP) continue;
  samples.push(cpuMs(start));
  inserted.push(last.entries.length);
  tokens.push(last.tokens.used);
  steps.push(last.steps);
  regexTests += last.regex.tests;
}
const sorted = [...samples].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const result = {
  entries: LORE_ENTRIES,
  scanDepth: LORE_SCAN_DEPTH,
  runs: RUNS,
  warmup: WARMUP,
  budget: BUDGET,
  prepareMs,
  p50: at(0.5),
  p95: at(0.95),
  max: at(1),
  constants: benchBook.entries.filter((e) => e.constant).length,
  insertedMean: mean(inserted),
  tokensMean: mean(tokens),
  stepsMin: Math.min(...steps),
  stepsMax: Math.max(...steps),
  stepsMean: mean(steps),
  regexTestsMean: regexTests / RUNS,
};
if (process.argv.includes("--json")) {
  console.log(JSON.stringify(result));
} else {
  console.log(`lore activation: ${LORE_ENTRIES} entries, scan depth ${LORE_SCAN_DEPTH} messages, ${RUNS} runs`);
  console.log(`  prepareBooks (once): ${prepareMs.toFixed(2)} ms CPU`);
  console.log(`  activateLore CPU ms per activation: p50 ${result.p50.toFixed(3)}  p95 ${result.p95.toFixed(3)}  max ${result.max.toFixed(3)}`);
  console.log(
    `  per activation: ${result.insertedMean.toFixed(1)} entries inserted, ${result.tokensMean.toFixed(0)}/${BUDGET} tokens, ${result.stepsMin}-${result.stepsMax} sweeps (mean ${result.stepsMean.toFixed(1)}), ${result.regexTestsMean.toFixed(1)} regex tests`,
  );
}
