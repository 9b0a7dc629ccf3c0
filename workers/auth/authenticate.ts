import { findKeyByHash, touchKey } from "../db/api-keys";
import { getDb } from "../db/client";
import type { ApiKeyRow } from "../db/schema";
import { config } from "../config";
import type { Env, WaitUntil } from "../env";
import { failedAuthBudget, recordFailedAuth } from "../rate-limit/failed-auth";
import type { RateLimitResult } from "../rate-limit/types";
import { RefreshingCache } from "../cache/refreshing-cache";
import { digestsEqual, hashApiKey } from "./api-keys";
import { ADMIN_KEY_ID, type Caller } from "./caller";

// last_used_at is written at most once a minute per key, so auth adds no write to most requests.
const TOUCH_INTERVAL_MS = 60_000;

/**
 * How long a key revoked by another isolate can still pass here. The isolate that revokes it forgets
 * it at once (forgetKey) and the key's sockets close then; every other isolate reads it again within this.
 */
export const KEY_CACHE_MAX_AGE_MS = 10_000;

// Keys by digest, as D1 last said. Unknown digests are never cached: guesses cannot fill the cache.
const keyRows = new RefreshingCache<string, ApiKeyRow | undefined>({
  maxAgeMs: KEY_CACHE_MAX_AGE_MS,
  refreshAfterMs: KEY_CACHE_MAX_AGE_MS / 2,
  maxEntries: 10_000,
});

/** A key revoked here stops passing in this isolate before the revocation answers. */
export const forgetKey = (keyHash: string) => keyRows.delete(keyHash);

// The admin key's digest, computed once per isolate rather than on every request.
let adminDigest: { key: string; digest: Promise<string> } | undefined;
const adminKeyDigest = (key: string) => {
  if (adminDigest?.key !== key) adminDigest = { key, digest: hashApiKey(key) };
  return adminDigest.digest;
};

/** Resolves a key's digest to its caller, or undefined. No failed-auth budget: see authenticateFrom. */
async function resolveCaller(env: Env, presented: string, ctx?: WaitUntil): Promise<Caller | undefined> {
  const { adminApiKey } = config(env);
  if (adminApiKey && digestsEqual(presented, await adminKeyDigest(adminApiKey))) return { keyId: ADMIN_KEY_ID, scopes: ["admin"] };
  const row = await keyRows.get(presented, () => findKeyByHash(getDb(env.DB), presented), {
    ctx,
    keep: (found) => found !== undefined,
  });
  // The lookup is by hash; the constant-time check keeps the final comparison free of timing leaks.
  if (!row || row.revokedAt || !digestsEqual(row.keyHash, presented)) return undefined;
  if (ctx && (!row.lastUsedAt || Date.now() - Date.parse(row.lastUsedAt) > TOUCH_INTERVAL_MS)) {
    // The cached row takes the new time too, so the other requests of this minute do not write it again.
    row.lastUsedAt = new Date().toISOString();
    ctx.waitUntil(touchKey(getDb(env.DB), row.id, row.lastUsedAt).catch(() => undefined));
  }
  return { keyId: row.id, scopes: row.scopes };
}

/** A live key this isolate verified within KEY_CACHE_MAX_AGE_MS: its holder is not guessing. */
const recentlyVerified = (presented: string) => {
  const row = keyRows.peek(presented);
  return row !== undefined && !row.revokedAt;
};

export type AuthOutcome =
  | { ok: true; caller: Caller }
  | { ok: false; code: "UNAUTHORIZED" }
  /** The address is out of failed-auth budget: the key was not even looked up. */
  | { ok: false; code: "RATE_LIMIT_EXCEEDED"; limit: RateLimitResult };

/**
 * A key presented by the client at `ip` (CF-Connecting-IP; undefined when unknown): refused before any
 * lookup when the address has spent its failed-auth budget, and counted as a failure when it is wrong.
 * A key verified here moments ago skips the budget check (no hop on the hot path; keys are 190-bit
 * random, so it is no guess, and guesses from a shared address do not lock out the keys used there).
 * The admin key, chosen by the operator and maybe weaker, is always checked. Shared by HTTP and WebSocket.
 */
export async function authenticateFrom(env: Env, ip: string | undefined, key: string, ctx?: WaitUntil): Promise<AuthOutcome> {
  const presented = await hashApiKey(key);
  if (!recentlyVerified(presented)) {
    const budget = await failedAuthBudget(env, ip);
    if (!budget.success) return { ok: false, code: "RATE_LIMIT_EXCEEDED", limit: budget };
  }
  const caller = await resolveCaller(env, presented, ctx);
  if (caller) return { ok: true, caller };
  await recordFailedAuth(env, ip, ctx);
  return { ok: false, code: "UNAUTHORIZED" };
}
