/**
 * Keys, compiled once per book and matched as SillyTavern matches them: a `/pattern/flags` key is a
 * regex with its own flags (case and whole-word settings do not apply to it); any other key is
 * trimmed and found as a substring, case-insensitively unless the entry says otherwise, and with
 * whole-word matching a one-word key must stand between non-word characters (`king` is found in
 * "long live the king" but not in "liking"); a key of several words is found as a substring. Word
 * characters are ASCII letters, digits and `_` (JavaScript's `\w`), as in SillyTavern.
 */
import { compileRegexKey, type RegexGuard } from "./regex-keys";
import { tripleHash, type ScanText, type Segment } from "./scan-buffer";

export type CompiledKey =
  | { kind: "plain"; source: string; needle: string; caseSensitive: boolean; wholeWord: boolean; wordOnly: boolean; literal: Literal }
  | { kind: "regex"; source: string; regex: RegExp; literal: Literal | null }
  | { kind: "invalid"; source: string; error: string }
  | { kind: "empty"; source: string };

/** Text a key's matches must contain, with its runs of three characters for the segments' quick filter. */
interface Literal {
  text: string;
  triples: number[];
  caseSensitive: boolean;
}

function literal(text: string, caseSensitive: boolean): Literal {
  const triples = new Set<number>();
  for (let at = 0; at + 2 < text.length; at++) triples.add(tripleHash(text, at));
  return { text, triples: [...triples], caseSensitive };
}

function segmentIncludes(segment: Segment, { text, triples, caseSensitive }: Literal): boolean {
  return segment.mayContain(triples, caseSensitive) && (caseSensitive ? segment.raw : segment.lower).includes(text);
}

export interface KeyOptions {
  caseSensitive: boolean;
  matchWholeWords: boolean;
  maxRegexKeyLength: number;
}

export function compileKey(source: string, options: KeyOptions): CompiledKey {
  const key = source.trim();
  if (!key) return { kind: "empty", source };
  const regex = compileRegexKey(key, options.maxRegexKeyLength);
  if (regex) {
    if (!regex.ok) return { kind: "invalid", source, error: regex.error };
    const required = regex.literal === null ? null : literal(regex.literal, !regex.regex.ignoreCase);
    return { kind: "regex", source, regex: regex.regex, literal: required };
  }
  const needle = options.caseSensitive ? key : key.toLowerCase();
  return {
    kind: "plain",
    source,
    needle,
    literal: literal(needle, options.caseSensitive),
    caseSensitive: options.caseSensitive,
    wholeWord: options.matchWholeWords && !/\s/.test(key),
    // Only word characters: a whole-word match is then a lookup in the text's word set.
    wordOnly: /^[A-Za-z0-9_]+$/.test(key),
  };
}

/** Keys given as one comma-separated string (decorator values), compiled. */
export function compileKeyList(list: string, options: KeyOptions): CompiledKey[] {
  return list
    .split(",")
    .filter((key) => key.trim())
    .map((key) => compileKey(key, options));
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function containsWholeWord(haystack: string, needle: string): boolean {
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    if ((at === 0 || !isWordChar(haystack.charCodeAt(at - 1))) && (end === haystack.length || !isWordChar(haystack.charCodeAt(end)))) return true;
  }
  return false;
}

function plainMatches(key: Extract<CompiledKey, { kind: "plain" }>, segment: Segment): boolean {
  if (key.wholeWord && key.wordOnly) return segment.words(key.caseSensitive).has(key.needle);
  if (!key.wholeWord) return segmentIncludes(segment, key.literal);
  if (!segment.mayContain(key.literal.triples, key.caseSensitive)) return false;
  return containsWholeWord(key.caseSensitive ? segment.raw : segment.lower, key.needle);
}

/** true / false; null when the key is a regex the guard refused to run (budget spent). Invalid and empty keys never match. */
function keyMatches(key: CompiledKey, text: ScanText, guard: RegexGuard): boolean | null {
  if (text.empty) return false;
  switch (key.kind) {
    case "plain":
      for (const segment of text.segments) if (plainMatches(key, segment)) return true;
      return false;
    case "regex": {
      const required = key.literal;
      if (required && !text.segments.some((segment) => segmentIncludes(segment, required))) return false;
      return guard.test(key.regex, text.raw);
    }
    default:
      return false;
  }
}

export interface FirstMatch {
  key: CompiledKey | null;
  /** Regex keys not run because the budget was spent. */
  skipped: number;
  /** Keys that could not be used (invalid regexes). */
  invalid: number;
}

/**
 * The first key that matches, in the entry's order, as SillyTavern reports it. `plainText`, when
 * given, is what plain keys are looked for in (the new part of the text, for keys known to miss the
 * rest); regex keys always see the whole `text`.
 */
export function firstMatchingKey(keys: CompiledKey[], text: ScanText, guard: RegexGuard, plainText = text): FirstMatch {
  let skipped = 0;
  let invalid = 0;
  for (const key of keys) {
    if (key.kind === "invalid") invalid++;
    const matched = keyMatches(key, key.kind === "plain" ? plainText : text, guard);
    if (matched) return { key, skipped, invalid };
    if (matched === null) skipped++;
  }
  return { key: null, skipped, invalid };
}

/** Each key's outcome, for secondary logic and group scores; null where a regex was skipped. */
export function keyOutcomes(keys: CompiledKey[], text: ScanText, guard: RegexGuard): Array<boolean | null> {
  return keys.map((key) => keyMatches(key, text, guard));
}
