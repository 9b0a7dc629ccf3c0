import type { MemoryKind } from "../../../shared/schemas/memories";
import { fuseRankings } from "../../memory/search/fuse";
import { ftsQuery } from "../../memory/search/fts-query";
import { dot, fromBlob } from "../../memory/search/vectors";
import { acceptKinds, tagOf, type MemoryRow, type MemoryStore } from "./memory-store";
import { VectorIndex } from "./vector-index";

export interface SearchHit {
  row: MemoryRow;
  score: number;
  vectorScore: number | null;
  textScore: number | null;
}

/** Candidates each ranking brings to the fusion, per hit asked for. */
const CANDIDATES_PER_HIT = 4;
const MIN_CANDIDATES = 32;

/**
 * Hybrid search over one memory object: cosine over the embeddings (an 8-bit scan of the in-memory
 * index, its candidates re-scored with the exact Float32 vectors) and FTS5 BM25 over the text, fused by
 * reciprocal rank. Without a query vector (no provider, or it failed) the text ranking alone answers.
 */
export class MemorySearch {
  private index?: VectorIndex;

  constructor(private readonly store: MemoryStore) {}

  search(text: string, vector: Float32Array | undefined, kinds: MemoryKind[], limit: number): SearchHit[] {
    const candidates = Math.max(MIN_CANDIDATES, limit * CANDIDATES_PER_HIT);
    const vectorHits = vector ? this.vectorRanking(vector, kinds, candidates) : [];
    const match = ftsQuery(text);
    const textHits = match ? this.store.textSearch(match, kinds, candidates) : [];
    const fused = fuseRankings(
      vectorHits.map((hit) => ({ id: String(hit.rowid), score: hit.score })),
      textHits.map((hit) => ({ id: String(hit.rowid), score: hit.score })),
    );
    const best = fused.slice(0, limit);
    const rows = new Map(this.store.byRowids(best.map((hit) => Number(hit.id))).map((row) => [row.rowid, row]));
    const hits: SearchHit[] = [];
    for (const hit of best) {
      const row = rows.get(Number(hit.id));
      if (row) hits.push({ row, score: hit.score, vectorScore: hit.vectorScore, textScore: hit.textScore });
    }
    return hits;
  }

  /** Keeps the index in step with a row's vector (when the index is loaded; else it loads it later). */
  put(rowid: number, kind: MemoryKind, active: boolean, packed: Uint8Array): void {
    this.index?.put({ rowid, tag: tagOf(kind, active), packed });
  }

  setActive(rowid: number, kind: MemoryKind, active: boolean): void {
    this.index?.setTag(rowid, tagOf(kind, active));
  }

  remove(rowid: number): void {
    this.index?.remove(rowid);
  }

  private vectorRanking(vector: Float32Array, kinds: MemoryKind[], limit: number): { rowid: number; score: number }[] {
    const index = this.loaded();
    const rough = index.search(vector, limit, acceptKinds(kinds));
    const exact = this.store.embeddings(rough.map((hit) => hit.rowid));
    return rough
      .map((hit) => {
        const stored = exact.get(hit.rowid);
        return { rowid: hit.rowid, score: stored ? dot(vector, fromBlob(stored)) : hit.score };
      })
      .sort((a, b) => b.score - a.score || a.rowid - b.rowid);
  }

  private loaded(): VectorIndex {
    if (!this.index) {
      const index = new VectorIndex(this.store.vectorCount());
      for (const vector of this.store.indexedVectors()) index.put(vector);
      this.index = index;
    }
    return this.index;
  }
}
