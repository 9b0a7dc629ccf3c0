/**
 * The per-book work done once rather than every turn: decorators taken off the content, keys trimmed,
 * lowercased and compiled (regexes too), placements and groups resolved, entries put in SillyTavern's
 * evaluation order. The result depends only on the books and the options, so it can be cached for as
 * long as the books do not change.
 */
import { compileKey, compileKeyList, type CompiledKey, type KeyOptions } from "./match-keys";
import { decoratorEffects, parseDecorators, placement, type DecoratorEffects } from "./decorators";
import type { LoreBook, LoreEntry, LorePosition, LoreRole } from "./types";
import { buildWordIndex, type WordIndex } from "./word-index";

export interface PrepareOptions {
  /** For entries whose `caseSensitive` is null (SillyTavern's default: off). */
  caseSensitive: boolean;
  /** For entries whose `matchWholeWords` is null (SillyTavern's shipped default: on). */
  matchWholeWords: boolean;
  /** Longer `/regex/` keys are refused (reported, never run). */
  maxRegexKeyLength: number;
}

const DEFAULT_PREPARE_OPTIONS: PrepareOptions = { caseSensitive: false, matchWholeWords: true, maxRegexKeyLength: 300 };

export interface PreparedEntry {
  /** Book order, then entry order: the order entries are reported in. */
  seq: number;
  /** `bookId` and `entryId` as one map key. */
  ref: string;
  bookId: string;
  entry: LoreEntry;
  /** Without its decorator lines. */
  content: string;
  effects: DecoratorEffects;
  position: LorePosition;
  depth: number;
  role: LoreRole;
  /** `@@scan_depth`, else the entry's, else the book's; null: the activation's default. */
  scanDepth: number | null;
  /** Whether its book scans recursively (it may then be matched by other entries' content). */
  recursive: boolean;
  keys: CompiledKey[];
  secondaryKeys: CompiledKey[];
  additionalKeys: CompiledKey[];
  excludeKeys: CompiledKey[];
  /** Inclusion groups, from the comma-separated `group`. */
  groups: string[];
  /** What the token budget keeps first: V3 `priority`, else the insertion order. */
  priority: number;
  warnings: string[];
}

export interface PreparedLore {
  /** SillyTavern's evaluation order: higher insertion order first, then book and entry order. */
  entries: PreparedEntry[];
  /** Book order, then entry order: the report's order. */
  inBookOrder: PreparedEntry[];
  byRef: Map<string, PreparedEntry>;
  /** Books with their own `tokenBudget`, which caps their entries' tokens together. */
  bookBudgets: Map<string, number>;
  /** Whether any book scans recursively. */
  recursive: boolean;
  /** Whole-word keys to their entries: what a recursion sweep looks up. */
  wordIndex: WordIndex;
  /** Token counts of entries' content, per token counter: a memo that lives as long as the prepared books. */
  tokenCounts: WeakMap<(text: string) => number, Map<PreparedEntry, number>>;
}

export function entryRef(bookId: string, entryId: string): string {
  return `${bookId}\n${entryId}`;
}

function prepareEntry(book: LoreBook, entry: LoreEntry, seq: number, options: PrepareOptions): PreparedEntry {
  const parsed = parseDecorators(entry.content);
  const effects = decoratorEffects(parsed.decorators);
  const keyOptions: KeyOptions = {
    caseSensitive: entry.caseSensitive ?? options.caseSensitive,
    matchWholeWords: entry.matchWholeWords ?? options.matchWholeWords,
    maxRegexKeyLength: options.maxRegexKeyLength,
  };
  const keys = entry.keys.map((key) => compileKey(key, keyOptions));
  const secondaryKeys = entry.secondaryKeys.map((key) => compileKey(key, keyOptions));
  const additionalKeys = effects.additionalKeys ? compileKeyList(effects.additionalKeys, keyOptions) : [];
  const excludeKeys = effects.excludeKeys ? compileKeyList(effects.excludeKeys, keyOptions) : [];
  const warnings = [...keys, ...secondaryKeys, ...additionalKeys, ...excludeKeys].flatMap((key) =>
    key.kind === "invalid" ? [`key ${JSON.stringify(key.source)} not used: ${key.error}`] : [],
  );
  for (const line of parsed.ignored) warnings.push(`decorator ${JSON.stringify(line)} ignored`);
  return {
    seq,
    ref: entryRef(book.id, entry.id),
    bookId: book.id,
    entry,
    content: parsed.content,
    effects,
    ...placement(entry, effects),
    scanDepth: effects.scanDepth ?? entry.scanDepth ?? book.scanDepth,
    recursive: book.recursiveScanning,
    keys,
    secondaryKeys,
    additionalKeys,
    excludeKeys,
    groups: entry.group
      .split(/,\s*/)
      .map((group) => group.trim())
      .filter(Boolean),
    priority: entry.priority ?? entry.insertionOrder,
    warnings,
  };
}

/**
 * Prepares merged books (card book, character books, session books) for `activateLore`. A book that
 * appears twice (same id) counts once, the first time.
 */
export function prepareBooks(books: LoreBook[], options: Partial<PrepareOptions> = {}): PreparedLore {
  const settings = { ...DEFAULT_PREPARE_OPTIONS, ...options };
  const entries: PreparedEntry[] = [];
  const byRef = new Map<string, PreparedEntry>();
  const bookBudgets = new Map<string, number>();
  const seenBooks = new Set<string>();
  for (const book of books) {
    if (seenBooks.has(book.id)) continue;
    seenBooks.add(book.id);
    if (book.tokenBudget !== null && book.tokenBudget > 0) bookBudgets.set(book.id, book.tokenBudget);
    for (const entry of book.entries) {
      const prepared = prepareEntry(book, entry, entries.length, settings);
      if (byRef.has(prepared.ref)) continue;
      byRef.set(prepared.ref, prepared);
      entries.push(prepared);
    }
  }
  const inBookOrder = [...entries];
  entries.sort((a, b) => b.entry.insertionOrder - a.entry.insertionOrder || a.seq - b.seq);
  return {
    entries,
    inBookOrder,
    byRef,
    bookBudgets,
    recursive: books.some((book) => book.recursiveScanning),
    wordIndex: buildWordIndex(entries),
    tokenCounts: new WeakMap(),
  };
}
