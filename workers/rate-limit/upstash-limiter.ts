import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../config";
import type { WaitUntil } from "../env";

export type UpstashConfig = NonNullable<Config["rateLimit"]["upstash"]>;
import type { RateLimiter } from "./limiter";
import { WINDOW_SECONDS, type RateLimitResult } from "./types";
import { recordRedisFailure, recordRedisSuccess } from "./redis-status";

/** A Redis call that has not answered by then lets the request through: the limit must not add latency. */
const REDIS_TIMEOUT_MS = 1000;

/** The Upstash client: no retries and a short timeout, so an unreachable Redis costs one bounded wait. */
export const upstashRedis = (upstash: UpstashConfig, timeoutMs = REDIS_TIMEOUT_MS) =>
  new Redis({
    url: upstash.url,
    token: upstash.token,
    retry: false,
    signal: () => AbortSignal.timeout(timeoutMs),
    enableTelemetry: false,
  });

// Built once per isolate and configuration, so @upstash/ratelimit's in-memory cache of blocked
// identifiers survives between requests (it answers repeat offenders without a Redis round trip).
const limiters = new Map<string, Ratelimit>();

/** A sliding minute of `perMinute` on Upstash under `prefix` (the request limit, or the failed-auth one). */
export function slidingMinute(upstash: UpstashConfig, perMinute: number, prefix = "chattr:rl"): Ratelimit {
  const key = `${upstash.url}|${perMinute}|${prefix}`;
  let ratelimit = limiters.get(key);
  if (!ratelimit) {
    ratelimit = new Ratelimit({
      redis: upstashRedis(upstash),
      // Sliding window: the same algorithm as the Durable Object fallback (sliding-window.ts).
      limiter: Ratelimit.slidingWindow(perMinute, `${WINDOW_SECONDS} s`),
      prefix,
      analytics: false,
      timeout: REDIS_TIMEOUT_MS,
    });
    limiters.set(key, ratelimit);
  }
  return ratelimit;
}

const allowed = (perMinute: number): RateLimitResult => ({
  success: true,
  limit: perMinute,
  remaining: perMinute,
  resetSeconds: WINDOW_SECONDS,
  retryAfterSeconds: 0,
});

export function upstashLimiter(upstash: UpstashConfig, perMinute: number, ctx?: WaitUntil): RateLimiter {
  const ratelimit = slidingMinute(upstash, perMinute);
  return {
    store: "upstash",
    async limit(identifier) {
      const kind = identifier.split(":")[0] ?? "unknown";
      try {
        const result = await ratelimit.limit(identifier);
        ctx?.waitUntil(result.pending.catch(() => undefined));
        if (result.reason === "timeout") {
          recordRedisFailure(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`), kind);
          return allowed(perMinute);
        }
        if (result.reason !== "cacheBlock") recordRedisSuccess();
        const resetSeconds = Math.max(0, Math.ceil((result.reset - Date.now()) / 1000));
        return {
          success: result.success,
          limit: result.limit,
          remaining: Math.max(0, result.remaining),
          resetSeconds,
          retryAfterSeconds: result.success ? 0 : Math.max(1, resetSeconds),
        };
      } catch (error) {
        // Fail open: an outage of the limit store must never refuse a chat turn.
        recordRedisFailure(error, kind);
        return allowed(perMinute);
      }
    },
  };
}
