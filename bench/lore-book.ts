/**
 * The lorebook the lore rows measure (bench/lore-activation.ts, bench/rows/lore.ts): 1,000 entries from a
 * seeded generator, the same on every run. Keys are names from a large pool: one to three per entry, 15%
 * of two words (like "Blackwood Keep"), a regex key on 5% of entries, secondary keys on 10% (every
 * selective logic), 1% constants, 10% at probability 50, 10% in inclusion groups, 5% sticky, positions
 * before and after the character and at depth 4. Each entry's text is everyday English that names a few
 * others, so what fires brings more in (recursion is on). The messages are the same kind of English with
 * a name now and then. Loaded by plain Node (the harness) and by esbuild's bundle (the activation run):
 * the engine's modules are not imported here, only its types and its seeded generator.
 */
import type { LoreMessage } from "../workers/lore/activation-types";
import { seededRng } from "../workers/lore/rng.ts";
import type { LoreBook, LoreEntry } from "../workers/lore/types";

export const LORE_ENTRIES = 1_000;
/** The book's scan depth: the messages activation scans (the new one included). */
export const LORE_SCAN_DEPTH = 10;

const random = seededRng("lore-bench");
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const syllables = ["ka", "ro", "mi", "tan", "vel", "dor", "sha", "lin", "gor", "eth", "ul", "bra", "qui", "zen", "fa", "mor", "is", "wyn", "ash", "el"];
const capitalized = (text: string) => text[0]!.toUpperCase() + text.slice(1);
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
    constant: random() < 0.01,
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

export const benchBook: LoreBook = {
  id: "bench",
  name: "Bench",
  scanDepth: LORE_SCAN_DEPTH,
  // 25% of the context window, as a turn has it (LLM_CONTEXT_TOKENS 8192).
  tokenBudget: null,
  recursiveScanning: true,
  entries: Array.from({ length: LORE_ENTRIES }, (_, i) => benchEntry(i)),
};

/** The last `LORE_SCAN_DEPTH` messages of a conversation, 60 words each. */
export const benchMessages: LoreMessage[] = Array.from({ length: LORE_SCAN_DEPTH }, (_, i) => ({
  role: i % 2 ? "assistant" : "user",
  name: i % 2 ? "Seraphina" : "User",
  content: text(60, 0.05),
}));

const ST_POSITION = { before_char: 0, after_char: 1, an_top: 2, an_bottom: 3, at_depth: 4, em_top: 5, em_bottom: 6 } as const;
const ST_LOGIC = { AND_ANY: 0, NOT_ALL: 1, NOT_ANY: 2, AND_ALL: 3 } as const;

/**
 * The book as a V3 `character_book` for `POST /api/v1/lorebooks`, SillyTavern's fields in each entry's
 * `extensions` as its exports write them: the server reads it back to `benchBook`'s entries.
 */
export function characterBookDocument(book: LoreBook) {
  return {
    name: book.name,
    scan_depth: book.scanDepth,
    recursive_scanning: book.recursiveScanning,
    entries: book.entries.map((entry) => ({
      id: Number(entry.id),
      name: entry.name,
      keys: entry.keys,
      secondary_keys: entry.secondaryKeys,
      content: entry.content,
      enabled: entry.enabled,
      constant: entry.constant,
      selective: entry.selective,
      insertion_order: entry.insertionOrder,
      use_regex: entry.useRegex,
      position: entry.position === "before_char" ? "before_char" : "after_char",
      extensions: {
        position: ST_POSITION[entry.position],
        depth: entry.depth,
        role: 0,
        selectiveLogic: ST_LOGIC[entry.selectiveLogic],
        probability: entry.probability,
        useProbability: entry.useProbability,
        group: entry.group,
        group_override: entry.groupOverride,
        group_weight: entry.groupWeight,
        sticky: entry.sticky,
      },
    })),
  };
}

/**
 * `count` single-word keys of entries that always fire when said: enabled, not constant, no secondary
 * keys, no probability roll, no group. A turn's message that names them fires those entries every turn.
 */
export function sureKeys(book: LoreBook, count: number): string[] {
  const sure = book.entries.filter(
    (e) => !e.constant && e.secondaryKeys.length === 0 && e.probability === 100 && e.group === "" && e.sticky === null && !e.keys[0]!.includes(" "),
  );
  return sure.slice(0, count).map((e) => e.keys[0]!);
}
