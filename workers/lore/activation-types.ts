/**
 * What `activateLore` takes and gives (CHARACTER-ENGINE.md §2): plain data, no HTTP, no storage, no
 * clock or randomness of its own.
 */
import type { LorePosition, LoreRole } from "./types";
import type { PreparedLore } from "./prepare";

export interface LoreMessage {
  role: "user" | "assistant" | "system";
  content: string;
  /** Speaker's name; with `includeNames` the scanned line is `name: content`, as SillyTavern scans. */
  name?: string;
}

/** One entry of one book: the identity timed effects and reply metadata use. */
export interface LoreEntryRef {
  bookId: string;
  entryId: string;
}

/**
 * A sticky or cooldown window, in message indexes along the active branch: set at `start` (the turn
 * whose newest message had that index), in force while a later turn's index is below `end`.
 */
export interface LoreTimedEffect extends LoreEntryRef {
  type: "sticky" | "cooldown";
  start: number;
  end: number;
}

/**
 * What one turn leaves for the turns after it, stored in its reply's metadata. The state after the
 * turn is whole in each record (the live windows, not a diff), so the next turn needs only the latest
 * record of its own branch: a regenerated or edited branch never sees a sibling's records.
 */
export interface LoreTimelineRecord {
  /** Index on the active branch of the newest message the turn scanned (the user's message it answered). */
  messageIndex: number;
  /** Entries that went into that turn's prompt. */
  activations: LoreEntryRef[];
  /** Sticky and cooldown windows still in force after that turn. */
  effects: LoreTimedEffect[];
  /** Entries with `@@keep_activate_after_match` / `@@dont_activate_after_match` that have fired on the branch. */
  matched: LoreEntryRef[];
}

export interface LoreLimits {
  /** Messages scanned when neither the entry nor its book says (SillyTavern's default: 2). */
  defaultScanDepth: number;
  /**
   * Scan sweeps in all, the first included (SillyTavern's "Max Recursion Steps"): 1 turns recursion
   * off, 0 sets no limit. Default 10, where SillyTavern's is 0: a bound on one turn's CPU.
   */
  maxRecursionSteps: number;
  /** A regex key sees at most this many characters of the scanned text (the newest first). */
  maxRegexInputChars: number;
  /** Regex tests per activation; past it the remaining regex keys are skipped and reported. */
  maxRegexTests: number;
  /** With an injected `now`: milliseconds of regex testing per activation, past which the rest is skipped. */
  maxRegexMillis: number;
  /** Scan `name: content` rather than `content` (SillyTavern's "Include Names", on by default). */
  includeNames: boolean;
  /** Inclusion groups keep only their members with the most key matches (SillyTavern's "Use Group Scoring"). */
  useGroupScoring: boolean;
}

export const DEFAULT_LIMITS: LoreLimits = {
  defaultScanDepth: 2,
  maxRecursionSteps: 10,
  maxRegexInputChars: 10_000,
  maxRegexTests: 5_000,
  maxRegexMillis: 20,
  includeNames: true,
  useGroupScoring: false,
};

export interface ActivationInput {
  /** `prepareBooks(books)`: the card book, the character's books and the session's, in that order. */
  lore: PreparedLore;
  /** The active branch's recent messages, oldest first, newest (the user's new message) last. */
  messages: LoreMessage[];
  /** Index on the active branch (0: the greeting) of the last of `messages`. */
  messageIndex: number;
  /**
   * Records of earlier replies on the active branch, any order. The latest one before `messageIndex`
   * is used; records at or after it (a sibling's, or the reply being regenerated) are ignored.
   */
  timeline: LoreTimelineRecord[];
  /** Tokens all inserted entries may use together (e.g. 25% of the context window). */
  tokenBudget: number;
  countTokens: (text: string) => number;
  /** Uniform in [0, 1): probability rolls and inclusion-group draws (see `seededRng`). */
  rng: () => number;
  /** Milliseconds, for the regex time budget; without it only the test count bounds regex work. */
  now?: () => number;
  /** Character messages on the active branch, for `@@activate_only_after/every`; default: those in `messages`. */
  assistantMessageCount?: number;
  limits?: Partial<LoreLimits>;
}

/** How a fired entry fired. */
export type LoreTrigger = "constant" | "sticky" | "decorator" | "key";

export interface InsertedLoreEntry extends LoreEntryRef {
  name: string;
  content: string;
  position: LorePosition;
  depth: number;
  role: LoreRole;
  insertionOrder: number;
  tokens: number;
  /** The primary key that matched; null when the entry fired without one (constant, sticky, decorator). */
  matchedKey: string | null;
  trigger: LoreTrigger;
  /** Scan sweep it fired in: 1 for the messages, 2+ for recursion. */
  step: number;
}

export type LoreSkipReason =
  | "disabled"
  | "no_key_match"
  | "secondary_logic_failed"
  | "decorator"
  | "probability"
  | "group_lost"
  | "cooldown"
  | "delay"
  | "delayed_until_recursion"
  | "recursion_excluded"
  | "budget"
  | "regex_error"
  | "regex_skipped"
  | "empty_content";

export interface ConsideredLoreEntry extends LoreEntryRef {
  name: string;
  fired: boolean;
  /** Why it is not in the prompt; null when it is. */
  reason: LoreSkipReason | null;
  detail?: string;
  matchedKey: string | null;
  /** Keys that could not be used (bad or refused regexes) and decorators that were ignored. */
  warnings: string[];
}

export interface ActivationResult {
  /** In prompt order: by position, at-depth entries deepest first, then by insertion order. */
  entries: InsertedLoreEntry[];
  /** Every entry of every book, in book order, fired or not. */
  considered: ConsideredLoreEntry[];
  /** This turn's record, to store in the reply's metadata. */
  timeline: LoreTimelineRecord;
  tokens: { used: number; budget: number };
  regex: { tests: number; skipped: number; exhausted: boolean };
  steps: number;
}
