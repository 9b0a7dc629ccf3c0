/**
 * The LLM emulator's embeddings: deterministic vectors that rank related text higher, so memory recall
 * can be tested without a model. A bag of hashed features (words, lightly stemmed, and their character
 * trigrams), not meaning: "dog" and "dogs" are close, "dog" and "puppy" are not.
 */

export const EMULATED_EMBEDDING_DIMS = 384;
const TRIGRAM_WEIGHT = 0.3;

// Words that every sentence shares; counted, they would make unrelated texts look alike.
const STOP_WORDS = new Set(
  "a an the and or but if of to in on at for with by from as is are was were be been am i me my you your it its this that these those he she we they them his her our their do does did have has had so not no what which who about just very".split(
    " ",
  ),
);

/** FNV-1a, 32 bits: small, fast and the same on every run, which is all the emulator asks of a hash. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Strips one common English ending from words longer than 4 letters: "called" → "call". */
function stem(word: string): string {
  if ([...word].length <= 4) return word;
  for (const ending of ["ing", "ed", "es", "s"]) {
    if (word.endsWith(ending)) return word.slice(0, -ending.length);
  }
  return word;
}

/** Adds `weight` with a sign taken from the hash to the bucket the hash picks. */
function addFeature(vector: Float64Array, feature: string, weight: number) {
  const hash = fnv1a(feature);
  vector[hash % vector.length]! += hash & 0x80000000 ? -weight : weight;
}

/** The unit vector of `text`; a text with no words (or only stop words) gets the first axis. */
export function emulatedEmbedding(text: string): number[] {
  const vector = new Float64Array(EMULATED_EMBEDDING_DIMS);
  for (const [raw] of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    if (STOP_WORDS.has(raw)) continue;
    const word = stem(raw);
    // Two buckets per word, so one collision does not make two words identical.
    addFeature(vector, `w1:${word}`, 1);
    addFeature(vector, `w2:${word}`, 1);
    const chars = [...`^${word}$`];
    for (let i = 0; i + 3 <= chars.length; i++) addFeature(vector, `t:${chars.slice(i, i + 3).join("")}`, TRIGRAM_WEIGHT);
  }
  const length = Math.hypot(...vector);
  if (length === 0) return Array.from({ length: EMULATED_EMBEDDING_DIMS }, (_, i) => (i === 0 ? 1 : 0));
  return Array.from(vector, (x) => x / length);
}
