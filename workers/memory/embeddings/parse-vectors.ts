import { EmbeddingsError } from "./types";

const isVector = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((n) => typeof n === "number" && Number.isFinite(n));

/**
 * The vectors of one answer, checked: one per input, all of one length, finite numbers. A provider that
 * answers fewer vectors, or vectors of mixed sizes, would silently corrupt every later similarity.
 */
export function toVectors(rows: unknown[], expected: number, provider: string): Float32Array[] {
  if (rows.length !== expected) throw new EmbeddingsError(`${provider} answered ${rows.length} vectors for ${expected} inputs`);
  const vectors = rows.map((row) => {
    if (!isVector(row)) throw new EmbeddingsError(`${provider} answered a vector that is not a list of numbers`);
    return Float32Array.from(row);
  });
  if (vectors.some((v) => v.length !== vectors[0]!.length)) throw new EmbeddingsError(`${provider} answered vectors of different sizes`);
  return vectors;
}
