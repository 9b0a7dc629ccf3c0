import type { Env } from "../../env";
import { errorText, log } from "../../log";
import { selectEmbeddingsProvider } from "../../memory/embeddings/select-provider";
import { normalize } from "../../memory/search/vectors";
import type { MemorySearch } from "./memory-search";
import type { MemoryRow, MemoryStore } from "./memory-store";

/** Recall waits this long for the query's embedding, then goes on with full text only. */
const RECALL_EMBED_TIMEOUT_MS = 2500;
/** Query vectors kept: the user's message is recalled with, then stored as, the same text. */
const RECENT_VECTORS = 16;

/** A memory object's embeddings: of queries (kept a little while), and of rows (stored and indexed). */
export class MemoryVectors {
  private readonly recent = new Map<string, Float32Array>();

  constructor(
    private readonly env: Env,
    private readonly store: MemoryStore,
    private readonly search: MemorySearch,
    /** Queues the `embed` job that retries what the provider failed to embed. */
    private readonly retryLater: () => Promise<void>,
  ) {}

  /** Embeds rows and indexes them; on failure they wait (searchable by text) for the `embed` job, and it throws. */
  async embed(rows: MemoryRow[]): Promise<void> {
    if (rows.length === 0) return;
    const provider = selectEmbeddingsProvider(this.env);
    if (!provider) return;
    try {
      const missing = rows.filter((row) => !this.recent.has(row.content));
      const fresh = missing.length > 0 ? await provider.embed(missing.map((row) => row.content)) : [];
      const vectors = new Map(missing.map((row, i) => [row.content, normalize(fresh[i]!)]));
      for (const row of rows) {
        const vector = this.recent.get(row.content) ?? vectors.get(row.content)!;
        // The row may have changed or gone while the provider answered.
        const current = this.store.get(row.id);
        if (!current || current.content !== row.content) continue;
        this.search.put(current.rowid, current.kind, current.active === 1, this.store.setEmbedding(current.rowid, vector));
      }
    } catch (error) {
      await this.retryLater();
      throw error;
    }
  }

  /** A query's vector, or why there is none (recall then runs on full text only). */
  async queryVector(text: string): Promise<{ vector?: Float32Array; degraded?: string }> {
    const provider = selectEmbeddingsProvider(this.env);
    if (!provider) return { degraded: "No embeddings provider is configured: full-text search only" };
    const cached = this.recent.get(text);
    if (cached) return { vector: cached };
    try {
      const [vector] = await provider.embed([text], AbortSignal.timeout(RECALL_EMBED_TIMEOUT_MS));
      const normalized = normalize(vector!);
      this.recent.set(text, normalized);
      if (this.recent.size > RECENT_VECTORS) this.recent.delete(this.recent.keys().next().value!);
      return { vector: normalized };
    } catch (error) {
      log("warn", "memory_embeddings_failed", { error: errorText(error) });
      return { degraded: "The embeddings provider failed: full-text search only" };
    }
  }
}
