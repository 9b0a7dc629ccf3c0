import { findKeyByHash, touchKey } from "../db/api-keys";
import { getDb } from "../db/client";
import { config } from "../config";
import type { Env } from "../env";
import { failedAuthBudget, recordFailedAuth } from "../rate-limit/failed-auth";
import type { RateLimitResult } from "../rate-limit/types";
import { digestsEqual, hashApiKey } from "./api-keys";
import { ADMIN_KEY_ID, type Caller } from "./caller";

type WaitUntil = { waitUntil(promise: Promise<unknown>): void };

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
  const { adminApiKey } = config(env);
  if (adminApiKey && digestsEqual(presented, await adminKeyDigest(adminApiKey))) {
    return { caller: { keyId: ADMIN_KEY_ID, scopes: ["admin"] }, stale: false };
  }
  const row = await findKeyByHash(getDb(env.DB), presented);
  // The lookup is by hash; the constant-time check keeps the final comparison free of timing leaks.
  if (!row || row.revokedAt || !digestsEqual(row.keyHash, presented)) return undefined;
  const stale = !row.lastUsedAt || Date.now() - Date.parse(row.lastUsedAt) > TOUCH_INTERVAL_MS;
  return { caller: { keyId: row.id, scopes: row.scopes }, stale };
}

/** Resolves a presented key to its caller, or undefined. No failed-auth budget: see authenticateFrom. */
async function authenticate(env: Env, key: string, ctx?: WaitUntil): Promise<Caller | undefined> {
  const resolved = await resolveCaller(env, key);
  if (resolved?.stale && ctx) {
    ctx.waitUntil(
      touchKey(getDb(env.DB), resolved.caller.keyId, new Date().toISOString()).then(
        () => undefined,
        () => undefined,
      ),
    );
  }
  return resolved?.caller;
}

export type AuthOutcome =
  | { ok: true; caller: Caller }
  | { ok: false; code: "UNAUTHORIZED" }
  /** The address is out of failed-auth budget: the key was not even looked up. */
  | { ok: false; code: "RATE_LIMIT_EXCEEDED"; limit: RateLimitResult };

/**
 * A key presented by the client at `ip` (CF-Connecting-IP; undefined when unknown): refused before any
 * lookup when the address has spent its failed-auth budget, and counted as a failure when it is wrong.
 * Shared by HTTP auth and the WebSocket `auth` frame.
 */
export async function authenticateFrom(env: Env, ip: string | undefined, key: string, ctx?: WaitUntil): Promise<AuthOutcome> {
  const budget = await failedAuthBudget(env, ip);
  if (!budget.success) return { ok: false, code: "RATE_LIMIT_EXCEEDED", limit: budget };
  const caller = await authenticate(env, key, ctx);
  if (caller) return { ok: true, caller };
  await recordFailedAuth(env, ip, ctx);
  return { ok: false, code: "UNAUTHORIZED" };
}
