/** Ranking for hybrid recall: reciprocal-rank fusion of the two rankings, and the best k of many scores. */

export interface ScoredId {
  id: string;
  /** Higher is better (a cosine; BM25 negated, as FTS5's `bm25()` is lower-is-better). */
  score: number;
}

export interface FusedHit {
  id: string;
  /** Σ 1/(k + rank) over the rankings the item is in. */
  score: number;
  /** Its score in each ranking; null: not in that ranking. */
  vectorScore: number | null;
  textScore: number | null;
}

/** Best first; equal scores by id, so the same inputs always give the same order. */
const byScoreThenId = (a: ScoredId, b: ScoredId) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each ranking adds 1/(k + rank), rank
 * counted from 1. It uses ranks, not scores, because a cosine and a BM25 score are on scales that cannot
 * be added; k = 60 is the paper's value, which keeps one list's top item from outweighing agreement
 * between both lists. Each list is ranked here by its own scores (an id listed twice counts once, at its best).
 */
export function fuseRankings(vectorHits: ScoredId[], textHits: ScoredId[], k = 60): FusedHit[] {
  const fused = new Map<string, FusedHit>();
  const add = (hits: ScoredId[], field: "vectorScore" | "textScore") => {
    const seen = new Set<string>();
    let rank = 0;
    for (const hit of [...hits].sort(byScoreThenId)) {
      if (seen.has(hit.id)) continue;
      seen.add(hit.id);
      rank++;
      let entry = fused.get(hit.id);
      if (!entry) {
        entry = { id: hit.id, score: 0, vectorScore: null, textScore: null };
        fused.set(hit.id, entry);
      }
      entry.score += 1 / (k + rank);
      entry[field] = hit.score;
    }
  };
  add(vectorHits, "vectorScore");
  add(textHits, "textScore");
  return [...fused.values()].sort(byScoreThenId);
}

/** True when `a` ranks below `b` (lower score, or the later id at equal scores). */
const worse = (a: ScoredId, b: ScoredId) => a.score < b.score || (a.score === b.score && a.id > b.id);

/**
 * The k best of `scores`, best first, in the same order a full sort would give, but in O(n log k): a
 * min-heap of the k best so far, whose root (the worst of them) is the bar a new item must beat. For
 * 100,000 cosines and k = 20 this never sorts the 100,000.
 */
export function topK<T extends ScoredId>(scores: readonly T[], k: number): T[] {
  if (k <= 0) return [];
  const heap: T[] = [];
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const child = right < heap.length && worse(heap[right]!, heap[left]!) ? right : left;
      if (!worse(heap[child]!, heap[i]!)) return;
      [heap[i], heap[child]] = [heap[child]!, heap[i]!];
      i = child;
    }
  };
  for (const item of scores) {
    if (heap.length < k) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (worse(heap[0]!, item)) {
      heap[0] = item;
      siftDown(0);
    }
  }
  return heap.sort(byScoreThenId);
}
