import { RefreshingCache } from "../cache/refreshing-cache";
import type { Env, WaitUntil } from "../env";
import { getCharacterRow, listCharacters } from "./characters";
import { getReplicaDb } from "./client";
import type { CharacterRow } from "./schema";

/** How long an edit made through another isolate can go unseen here (this isolate's own edits show at once). */
export const CHARACTER_CACHE_MAX_AGE_MS = 10_000;

const options = { maxAgeMs: CHARACTER_CACHE_MAX_AGE_MS, refreshAfterMs: CHARACTER_CACHE_MAX_AGE_MS / 2 };
const rows = new RefreshingCache<string, CharacterRow | undefined>({ ...options, maxEntries: 1000 });
const lists = new RefreshingCache<"all", CharacterRow[]>({ ...options, maxEntries: 1 });

/** A character as a turn or a detail view needs it. A miss is not cached: a character created elsewhere shows at once. */
export const cachedCharacterRow = (env: Env, id: string, ctx?: WaitUntil) =>
  rows.get(id, () => getCharacterRow(getReplicaDb(env.DB), id), { ctx, keep: (row) => row !== undefined });

export const cachedCharacterList = (env: Env, ctx?: WaitUntil) => lists.get("all", () => listCharacters(getReplicaDb(env.DB)), { ctx });

/** Every write to the characters table calls this, so this isolate never serves what it just changed. */
export function forgetCharacters(): void {
  rows.clear();
  lists.clear();
}
