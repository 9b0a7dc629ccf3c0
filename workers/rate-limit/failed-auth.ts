import type { Env, WaitUntil } from "../env";
import { addressBucket } from "./address-bucket";
import { config } from "../config";
import { recordRedisFailure, recordRedisSuccess } from "./redis-status";
import { WINDOW_SECONDS, type RateLimitResult } from "./types";
import { slidingMinute, type UpstashConfig } from "./upstash-limiter";
import { errorText, log } from "../log";

/**
 * Failed authentications (a bad or revoked API key, a webhook that fails verification) allowed per
 * client address (an IPv6 /64) per sliding minute. A person who mistypes a key or a client retrying a
 * revoked one stays well under it; a guesser gets 20 tries a minute, nothing against keys of ~190 bits.
 * Always on: RATE_LIMIT_PER_MINUTE=0 turns off request limits, not this protection.
 */
const FAILED_AUTH_PER_MINUTE = 20;

const identifierOf = (ip: string) => `authfail:${addressBucket(ip)}`;

const allowed = (): RateLimitResult => ({
  success: true,
  limit: FAILED_AUTH_PER_MINUTE,
  remaining: FAILED_AUTH_PER_MINUTE,
  resetSeconds: WINDOW_SECONDS,
  retryAfterSeconds: 0,
});

const decided = (success: boolean, remaining: number, resetAt: number): RateLimitResult => {
  const resetSeconds = Math.max(0, Math.ceil((resetAt - Date.now()) / 1000));
  return {
    success,
    limit: FAILED_AUTH_PER_MINUTE,
    remaining: Math.max(0, remaining),
    resetSeconds,
    retryAfterSeconds: success ? 0 : Math.max(1, resetSeconds),
  };
};

const upstashCounter = (upstash: UpstashConfig) => slidingMinute(upstash, FAILED_AUTH_PER_MINUTE, "chattr:authfail");

const counterObject = (env: Env, identifier: string) => env.AUTH_FAILURES.get(env.AUTH_FAILURES.idFromName(identifier));

/** A store failure lets the caller through, as with the request limiter: auth itself still decides. */
function failOpen(env: Env, error: unknown): RateLimitResult {
  if (config(env).rateLimit.upstash) recordRedisFailure(error, "authfail");
  else log("error", "rate_limit_store_failing_open", { store: "durable-object", limit: "failed-auth", error: errorText(error) });
  return allowed();
}

/**
 * Whether the client at `ip` may still try a key: check before looking any key up, so an address
 * out of budget learns nothing about its guesses. Counts nothing. `success: false` carries the
 * retry delay. An unknown address (no CF-Connecting-IP: only calls from inside, such as tests and
 * service bindings; Cloudflare sets it on every request from outside) is not limited.
 */
export async function failedAuthBudget(env: Env, ip: string | undefined): Promise<RateLimitResult> {
  if (!ip) return allowed();
  const identifier = identifierOf(ip);
  try {
    const { upstash } = config(env).rateLimit;
    if (upstash) {
      const { remaining, reset } = await upstashCounter(upstash).getRemaining(identifier);
      recordRedisSuccess();
      return decided(remaining > 0, remaining, reset);
    }
    const decision = await counterObject(env, identifier).peek(FAILED_AUTH_PER_MINUTE, WINDOW_SECONDS * 1000);
    return decided(decision.success, decision.remaining, decision.resetAt);
  } catch (error) {
    return failOpen(env, error);
  }
}

/** Counts one failed authentication of the client at `ip` (nothing for an unknown address). */
export async function recordFailedAuth(env: Env, ip: string | undefined, ctx?: WaitUntil): Promise<void> {
  if (!ip) return;
  const identifier = identifierOf(ip);
  try {
    const { upstash } = config(env).rateLimit;
    if (upstash) {
      const result = await upstashCounter(upstash).limit(identifier);
      ctx?.waitUntil(result.pending.catch(() => undefined));
      if (result.reason === "timeout") recordRedisFailure(new Error("no answer within 1000 ms"), "authfail");
      return;
    }
    await counterObject(env, identifier).hit(FAILED_AUTH_PER_MINUTE, WINDOW_SECONDS * 1000);
  } catch (error) {
    failOpen(env, error);
  }
}
