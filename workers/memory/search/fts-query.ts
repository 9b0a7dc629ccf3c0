/**
 * A user's free text as an FTS5 MATCH expression that cannot be a syntax error nor an operator: each word
 * becomes a quoted string ("AND", "NEAR", "*" or a lone quote are then just text, or dropped), joined
 * with OR so that any word can match and BM25 ranks items that match more of them higher.
 */

/** Bounds the work of one search: a pasted page of text is not 500 OR terms. */
export const MAX_FTS_TERMS = 32;

// A word: letters and digits of any script, with the combining marks that some scripts (Devanagari,
// Thai) need inside words. Nothing else, so no quote can reach the expression.
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

// Words most memories contain ("my", "I", "the"): OR-ed in, they match most rows and rank nothing.
const STOP_WORDS = new Set(
  "a about am an and are as at be but by can did do does for from had has have he her him his how i if in is it its me my no not of on or our she so that the their them then there they this to us was we were what when where which who why will with you your".split(
    " ",
  ),
);

/**
 * The MATCH expression for `text`, or undefined when it has no words (then there is no full-text ranking).
 * Stop words are left out, unless the text has nothing else.
 */
export function ftsQuery(text: string): string | undefined {
  const words: string[] = [];
  const seen = new Set<string>();
  for (const [word] of text.matchAll(WORD)) {
    // FTS5's default tokenizer folds case, so "Rex" and "rex" would be the same term twice.
    const key = word.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    words.push(word);
  }
  const telling = words.filter((word) => !STOP_WORDS.has(word.toLowerCase()));
  const terms = (telling.length > 0 ? telling : words).slice(0, MAX_FTS_TERMS).map((word) => `"${word}"`);
  return terms.length > 0 ? terms.join(" OR ") : undefined;
}
