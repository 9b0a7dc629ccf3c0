import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error";
import { digestsEqual, hashApiKey } from "../auth/api-keys";
import { ADMIN_KEY_ID, isAdmin, type Caller } from "../auth/caller";
import { findKeyByHash, touchKey } from "../db/api-keys";
import { getDb } from "../db/client";
import type { AppEnv, Env } from "../env";

async function resolveCaller(env: Env, key: string): Promise<Caller | undefined> {
  const presented = await hashApiKey(key);
  if (env.ADMIN_API_KEY && digestsEqual(presented, await hashApiKey(env.ADMIN_API_KEY))) {
    return { keyId: ADMIN_KEY_ID, scopes: ["admin"] };
  }
  const row = await findKeyByHash(getDb(env.DB), presented);
  // The lookup is by hash; the constant-time check keeps the final comparison free of timing leaks.
  if (!row || row.revokedAt || !digestsEqual(row.keyHash, presented)) return undefined;
  return { keyId: row.id, scopes: row.scopes };
}

/** Bearer API keys. Sets `caller`; the key itself never leaves this function. */
export const auth = (): MiddlewareHandler<AppEnv> =>
  async function auth(c, next) {
    const header = c.req.header("Authorization");
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new ApiError("UNAUTHORIZED", "Missing API key: send Authorization: Bearer <key>");
    const caller = await resolveCaller(c.env, match[1]!);
    if (!caller) throw new ApiError("UNAUTHORIZED", "Invalid or revoked API key");
    c.set("caller", caller);
    if (caller.keyId !== ADMIN_KEY_ID) {
      c.executionCtx.waitUntil(touchKey(getDb(c.env.DB), caller.keyId, new Date().toISOString()).then(() => undefined, () => undefined));
    }
    await next();
  };

export const requireAdmin = (): MiddlewareHandler<AppEnv> =>
  async function requireAdmin(c, next) {
    if (!isAdmin(c.get("caller"))) throw new ApiError("FORBIDDEN", "This operation needs an API key with the admin scope");
    await next();
  };
