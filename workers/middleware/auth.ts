import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error";
import { digestsEqual, hashApiKey } from "../auth/api-keys";
import { ADMIN_KEY_ID, isAdmin, type Caller } from "../auth/caller";
import { findKeyByHash, touchKey } from "../db/api-keys";
import { getDb } from "../db/client";
import type { AppEnv, Env } from "../env";

// last_used_at is written at most once a minute per key, so auth adds no write to most requests.
const TOUCH_INTERVAL_MS = 60_000;

// The admin key's digest, computed once per isolate rather than on every request.
let adminDigest: { key: string; digest: Promise<string> } | undefined;
const adminKeyDigest = (key: string) => {
  if (adminDigest?.key !== key) adminDigest = { key, digest: hashApiKey(key) };
  return adminDigest.digest;
};

async function resolveCaller(env: Env, key: string): Promise<{ caller: Caller; stale: boolean } | undefined> {
  const presented = await hashApiKey(key);
  if (env.ADMIN_API_KEY && digestsEqual(presented, await adminKeyDigest(env.ADMIN_API_KEY))) {
    return { caller: { keyId: ADMIN_KEY_ID, scopes: ["admin"] }, stale: false };
  }
  const row = await findKeyByHash(getDb(env.DB), presented);
  // The lookup is by hash; the constant-time check keeps the final comparison free of timing leaks.
  if (!row || row.revokedAt || !digestsEqual(row.keyHash, presented)) return undefined;
  const stale = !row.lastUsedAt || Date.now() - Date.parse(row.lastUsedAt) > TOUCH_INTERVAL_MS;
  return { caller: { keyId: row.id, scopes: row.scopes }, stale };
}

/** Resolves a presented key to its caller, or undefined; shared by HTTP auth and WebSocket `auth` frames. */
export async function authenticate(env: Env, key: string, ctx?: { waitUntil(promise: Promise<unknown>): void }): Promise<Caller | undefined> {
  const resolved = await resolveCaller(env, key);
  if (resolved?.stale && ctx) {
    ctx.waitUntil(touchKey(getDb(env.DB), resolved.caller.keyId, new Date().toISOString()).then(() => undefined, () => undefined));
  }
  return resolved?.caller;
}

/** Bearer API keys. Sets `caller`; the key itself never leaves this function. */
export const auth = (): MiddlewareHandler<AppEnv> =>
  async function auth(c, next) {
    const header = c.req.header("Authorization");
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new ApiError("UNAUTHORIZED", "Missing API key: send Authorization: Bearer <key>");
    const caller = await authenticate(c.env, match[1]!, c.executionCtx);
    if (!caller) throw new ApiError("UNAUTHORIZED", "Invalid or revoked API key");
    c.set("caller", caller);
    await next();
  };

export const requireAdmin = (): MiddlewareHandler<AppEnv> =>
  async function requireAdmin(c, next) {
    if (!isAdmin(c.get("caller"))) throw new ApiError("FORBIDDEN", "This operation needs an API key with the admin scope");
    await next();
  };
