/** Turns texts into vectors for memory recall; every vector of one provider has the same length. */
export interface EmbeddingsProvider {
  readonly name: string;
  readonly model: string;
  /** One vector per text, in the order of `texts`. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/**
 * The provider failed, hung or answered something unreadable. The message names the status or the
 * cause, never the API key nor the provider's own error text (which may quote the key back).
 */
export class EmbeddingsError extends Error {
  override name = "EmbeddingsError";
}
