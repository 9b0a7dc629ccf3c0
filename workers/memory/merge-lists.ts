import type { MemoryList, MemoryListQuery } from "../../shared/schemas/memories";

/**
 * One page out of several memory objects' lists (admin sees a user's memories under every key): each
 * list is its object's first `offset + limit` items; searches merge by score, plain lists by age.
 */
export function mergeLists(lists: MemoryList[], query: Pick<MemoryListQuery, "q" | "limit" | "offset">): MemoryList {
  const all = lists.flatMap((list) => list.memories);
  // A stable sort: memories written in the same millisecond (one extraction's facts) keep their object's order.
  all.sort((a, b) => (query.q !== undefined ? (b.score ?? 0) - (a.score ?? 0) : b.created_at.localeCompare(a.created_at)));
  const total = lists.reduce((sum, list) => sum + list.total, 0);
  const degraded = lists.find((list) => list.degraded)?.degraded;
  return {
    memories: all.slice(query.offset, query.offset + query.limit),
    total,
    limit: query.limit,
    offset: query.offset,
    has_more: query.offset + query.limit < total,
    ...(degraded ? { degraded } : {}),
  };
}
