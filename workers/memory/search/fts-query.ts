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

/** The MATCH expression for `text`, or undefined when it has no words (then there is no full-text ranking). */
export function ftsQuery(text: string): string | undefined {
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const [word] of text.matchAll(WORD)) {
    // FTS5's default tokenizer folds case, so "Rex" and "rex" would be the same term twice.
    const key = word.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(`"${word}"`);
    if (terms.length === MAX_FTS_TERMS) break;
  }
  return terms.length > 0 ? terms.join(" OR ") : undefined;
}
