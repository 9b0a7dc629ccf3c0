/**
 * Builders for the lore engine's tests: entries with SillyTavern's defaults, books, and a turn runner
 * whose token counter counts words, so budgets read as word counts.
 */
import { activateLore } from "../../workers/lore/activate";
import type { ActivationInput, ActivationResult, LoreMessage } from "../../workers/lore/activation-types";
import { prepareBooks, type PrepareOptions } from "../../workers/lore/prepare";
import { seededRng } from "../../workers/lore/rng";
import type { LoreBook, LoreEntry } from "../../workers/lore/types";

export function entry(fields: Partial<LoreEntry> & { id: string }): LoreEntry {
  return {
    name: `entry ${fields.id}`,
    keys: [],
    secondaryKeys: [],
    content: `Lore of ${fields.id}.`,
    enabled: true,
    constant: false,
    selective: true,
    selectiveLogic: "AND_ANY",
    caseSensitive: null,
    matchWholeWords: null,
    useRegex: false,
    insertionOrder: 100,
    priority: null,
    position: "before_char",
    depth: 4,
    role: "system",
    scanDepth: null,
    probability: 100,
    useProbability: true,
    group: "",
    groupOverride: false,
    groupWeight: 100,
    excludeRecursion: false,
    preventRecursion: false,
    delayUntilRecursion: false,
    sticky: null,
    cooldown: null,
    delay: null,
    ...fields,
  };
}

export function book(entries: LoreEntry[], fields: Partial<LoreBook> = {}): LoreBook {
  return { id: "book", name: "Book", scanDepth: null, tokenBudget: null, recursiveScanning: true, entries, ...fields };
}

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Plain strings alternate so that the last one is the user's. */
function chat(...texts: string[]): LoreMessage[] {
  return texts.map((content, i) => ({ role: (texts.length - 1 - i) % 2 === 0 ? "user" : "assistant", content }));
}

export interface Turn extends Partial<Omit<ActivationInput, "lore" | "messages">> {
  messages?: LoreMessage[] | string[];
  prepare?: Partial<PrepareOptions>;
}

/** One activation over `books` with the test defaults: messageIndex = messages - 1, no timeline, a large budget. */
export function activate(books: LoreBook | LoreBook[], turn: Turn = {}): ActivationResult {
  const { messages = ["hello"], prepare, ...rest } = turn;
  const list: LoreMessage[] = typeof messages[0] === "string" ? chat(...(messages as string[])) : (messages as LoreMessage[]);
  return activateLore({
    lore: prepareBooks(Array.isArray(books) ? books : [books], prepare),
    messages: list,
    messageIndex: list.length - 1,
    timeline: [],
    tokenBudget: 10_000,
    countTokens: countWords,
    rng: seededRng("lore-test"),
    ...rest,
  });
}

/** Ids of the entries in the prompt, in prompt order. */
export function firedIds(result: ActivationResult): string[] {
  return result.entries.map((inserted) => inserted.entryId);
}

/** Why an entry is not in the prompt (null when it is). */
export function reasonOf(result: ActivationResult, id: string): string | null {
  const considered = result.considered.find((item) => item.entryId === id);
  if (!considered) throw new Error(`entry ${id} was not considered`);
  return considered.reason;
}
