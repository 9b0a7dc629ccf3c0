/**
 * Inputs per upstream request. OpenAI takes up to 2048 and Workers AI's bge models 100; 96 stays under
 * both and under the smaller limits of other OpenAI-compatible servers.
 */
const MAX_BATCH = 96;

/** Embeds `texts` a batch at a time, one request after the other, so a long list never bursts an upstream's rate limit. */
export async function inBatches(texts: string[], embedBatch: (batch: string[]) => Promise<Float32Array[]>): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += MAX_BATCH) {
    vectors.push(...(await embedBatch(texts.slice(start, start + MAX_BATCH))));
  }
  return vectors;
}
