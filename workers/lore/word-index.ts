/**
 * An index from whole-word keys to their entries, so that a recursion sweep looks only at the entries
 * the new text can wake, not at every entry of every book. A key is indexed when it is plain, one
 * word of word characters, and matched as a whole word: it then matches a text iff it is one of the
 * text's words. Entries with any other primary key (several words, substrings, regexes) are looked at
 * in every sweep.
 */
import type { PreparedEntry } from "./prepare";
import type { ScanText } from "./scan-buffer";

export interface WordIndex {
  /** Lowercase keys of case-insensitive entries. */
  lower: Map<string, PreparedEntry[]>;
  /** Keys of case-sensitive entries, as written. */
  exact: Map<string, PreparedEntry[]>;
  /** Entries whose every primary key is indexed (or unusable): only the index can wake them. */
  indexedOnly: Set<PreparedEntry>;
}

function add(map: Map<string, PreparedEntry[]>, word: string, entry: PreparedEntry): void {
  const entries = map.get(word);
  if (!entries) map.set(word, [entry]);
  else if (entries[entries.length - 1] !== entry) entries.push(entry);
}

export function buildWordIndex(entries: PreparedEntry[]): WordIndex {
  const index: WordIndex = { lower: new Map(), exact: new Map(), indexedOnly: new Set() };
  for (const entry of entries) {
    let indexedOnly = true;
    for (const key of entry.keys) {
      if (key.kind === "plain" && key.wholeWord && key.wordOnly) add(key.caseSensitive ? index.exact : index.lower, key.needle, entry);
      else if (key.kind === "plain" || key.kind === "regex") indexedOnly = false;
    }
    if (indexedOnly) index.indexedOnly.add(entry);
  }
  return index;
}

/** Entries with an indexed key among the words of `text`. */
export function entriesWokenBy(index: WordIndex, text: ScanText): Set<PreparedEntry> {
  const woken = new Set<PreparedEntry>();
  for (const segment of text.segments) {
    if (index.lower.size > 0) for (const word of segment.words(false)) for (const entry of index.lower.get(word) ?? []) woken.add(entry);
    if (index.exact.size > 0) for (const word of segment.words(true)) for (const entry of index.exact.get(word) ?? []) woken.add(entry);
  }
  return woken;
}
