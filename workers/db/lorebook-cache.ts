import { RefreshingCache } from "../cache/refreshing-cache";
import type { Env, WaitUntil } from "../env";
import type { LoreBook } from "../lore/types";
import { getReplicaDb } from "./client";
import { getLorebook } from "./lorebooks";

/** How long an edit made through another isolate can go unseen here (this isolate's own edits show at once). */
const LOREBOOK_CACHE_MAX_AGE_MS = 10_000;

/** A stored book and its version (`updated_at`): what prepared books are keyed by. */
interface VersionedBook {
  book: LoreBook;
  version: string;
}

const books = new RefreshingCache<string, VersionedBook | undefined>({
  maxAgeMs: LOREBOOK_CACHE_MAX_AGE_MS,
  refreshAfterMs: LOREBOOK_CACHE_MAX_AGE_MS / 2,
  maxEntries: 200,
});

/** A lorebook's normalized book and version, as a turn needs it: no D1 read on a warm isolate. A miss is not cached. */
export const cachedLorebook = (env: Env, id: string, ctx?: WaitUntil) =>
  books.get(
    id,
    async () => {
      const found = await getLorebook(getReplicaDb(env.DB), id);
      return found && { book: found.book, version: found.updatedAt };
    },
    { ctx, keep: (found) => found !== undefined },
  );

/** Every write to lorebooks calls this, so this isolate never serves what it just changed. */
export function forgetLorebooks(): void {
  books.clear();
}
