/**
 * `npx tsx bench/lore-activation.ts`: CPU time of one lorebook activation (workers/lore/activate.ts)
 * over 1,000 entries and a scan depth of 10 messages, with recursion on, the real tokenizer counting
 * the inserted entries, and a seeded mix of keys: one to three plain keys per entry (some of several
 * words), 5% regex keys, 10% with secondary keys, 5% constants, inclusion groups. Books are prepared
 * once (`prepareBooks`, timed apart), as a Worker would cache them. Prints p50 / p95 / max CPU ms per
 * activation over LORE_BENCH_RUNS (300) runs after 30 warm-up runs.
 */
import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import { activateLore } from "../workers/lore/activate";
import type { LoreMessage } from "../workers/lore/activation-types";
import { prepareBooks } from "../workers/lore/prepare";
import { seededRng } from "../workers/lore/rng";
import type { LoreBook, LoreEntry } from "../workers/lore/types";

const ENTRIES = 1_000;
const MESSAGES = 10;
const RUNS = Number(process.env.LORE_BENCH_RUNS ?? 300);
const WARMUP = 30;

const random = seededRng("lore-bench");
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
const syllables = ["ka", "ro", "mi", "tan", "vel", "dor", "sha", "lin", "gor", "eth", "ul", "bra", "qui", "zen", "fa", "mor", "is", "wyn", "ash", "el"];
const capitalized = (text: string) => text[0]!.toUpperCase() + text.slice(1);
// Keys are names from a large pool (a few of two words, like "Blackwood Keep"); the messages are
// everyday English with a name now and then, and each entry's content names a few others (recursion).
const names = [
  ...new Set(Array.from({ length: 30_000 }, () => capitalized(Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(syllables)).join("")))),
].slice(0, 20_000);
const common = (
  "the of and to a in is it you that he was for on are with as I his they be at one have this from or had by word but what some we can out " +
  "other were all there when up use your how said an each she which do their time if will way about many then them write would like so " +
  "these her long make thing see him two has look more day could go come did number sound no most people my over know water than call " +
  "first who may down side been now find any new work part take get place made live where after back little only round man year came " +
  "show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean " +
  "before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add " +
  "even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point"
).split(" ");
const text = (words: number, nameRate: number) => Array.from({ length: words }, () => (random() < nameRate ? pick(names) : pick(common))).join(" ");

function benchEntry(i: number): LoreEntry {
  const keyCount = 1 + Math.floor(random() * 3);
  const keys = Array.from({ length: keyCount }, () => (random() < 0.15 ? `${pick(names)} ${pick(names)}` : pick(names)));
  if (random() < 0.05) keys.push(`/${pick(names)}(s|es)?/i`);
  return {
    id: String(i),
    name: `entry ${i}`,
    keys,
    secondaryKeys: random() < 0.1 ? [pick(common), pick(names)] : [],
    content: `${text(40, 0.05)}.`,
    enabled: true,
    constant: random() < 0.05,
    selective: true,
    selectiveLogic: pick(["AND_ANY", "NOT_ANY", "AND_ALL", "NOT_ALL"] as const),
    caseSensitive: null,
    matchWholeWords: null,
    useRegex: false,
    insertionOrder: Math.floor(random() * 200),
    priority: null,
    position: pick(["before_char", "after_char", "at_depth"] as const),
    depth: 4,
    role: "system",
    scanDepth: null,
    probability: random() < 0.1 ? 50 : 100,
    useProbability: true,
    group: random() < 0.1 ? `group${Math.floor(random() * 20)}` : "",
    groupOverride: false,
    groupWeight: 100,
    excludeRecursion: false,
    preventRecursion: false,
    delayUntilRecursion: false,
    sticky: random() < 0.05 ? 4 : null,
    cooldown: null,
    delay: null,
  };
}

const books: LoreBook[] = [
  {
    id: "bench",
    name: "Bench",
    scanDepth: MESSAGES,
    tokenBudget: null,
    recursiveScanning: true,
    entries: Array.from({ length: ENTRIES }, (_, i) => benchEntry(i)),
  },
];
const messages: LoreMessage[] = Array.from({ length: MESSAGES }, (_, i) => ({
  role: i % 2 ? "assistant" : "user",
  name: i % 2 ? "Seraphina" : "User",
  content: text(60, 0.05),
}));

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const prepareStart = process.cpuUsage();
const lore = prepareBooks(books);
const prepareMs = cpuMs(prepareStart);

const samples: number[] = [];
let last: ReturnType<typeof activateLore> | undefined;
for (let run = 0; run < WARMUP + RUNS; run++) {
  const start = process.cpuUsage();
  last = activateLore({
    lore,
    messages,
    messageIndex: 40 + run * 2,
    timeline: last ? [last.timeline] : [],
    tokenBudget: Number(process.env.LORE_BENCH_BUDGET ?? 2_048),
    countTokens,
    rng: seededRng(run),
  });
  if (run >= WARMUP) samples.push(cpuMs(start));
}
samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(3);
console.log(`lore activation: ${ENTRIES} entries, scan depth ${MESSAGES} messages, ${RUNS} runs`);
console.log(`  prepareBooks (once): ${prepareMs.toFixed(2)} ms CPU`);
console.log(`  activateLore CPU ms per activation: p50 ${at(0.5)}  p95 ${at(0.95)}  max ${at(1)}`);
console.log(
  `  last run: ${last?.entries.length} entries inserted, ${last?.tokens.used}/${last?.tokens.budget} tokens, ${last?.steps} sweeps, ${last?.regex.tests} regex tests`,
);
