import { config } from "../config";
import type { Env, WaitUntil } from "../env";
import { durableObjectLimiter } from "./durable-object-limiter";
import type { RateLimitResult } from "./types";
import { upstashLimiter } from "./upstash-limiter";

/**
 * What routes and the WebSocket code depend on: call `limit` once per request or frame with a stable
 * identifier (`key:<key id>`, `ip:<address>`). Never throws: a store that fails lets the call through.
 *
 * @example
 * const limiter = getRateLimiter(env, ctx);
 * const result = await limiter?.limit(`key:${caller.keyId}`);
 * if (result && !result.success) sendErrorFrame("RATE_LIMIT_EXCEEDED", result.retryAfterSeconds);
 */
export interface RateLimiter {
  readonly store: "upstash" | "durable-object";
  limit(identifier: string): Promise<RateLimitResult>;
}

/**
 * The limiter for this configuration, or undefined when limiting is off: Upstash Redis when
 * UPSTASH_REDIS_REST_URL/TOKEN are set (shared by every location), else the RateLimiter Durable Object.
 * `ctx` lets the Upstash client finish its background work after the response.
 */
export function getRateLimiter(env: Env, ctx?: WaitUntil): RateLimiter | undefined {
  const { perMinute } = config(env).rateLimit;
  if (perMinute === 0) return undefined;
  return limiterAt(env, perMinute, ctx);
}

/** The same stores at another rate (the /assets limit); use identifiers of its own kind. */
export const limiterAt = (env: Env, perMinute: number, ctx?: WaitUntil): RateLimiter =>
  config(env).rateLimit.upstash ? upstashLimiter(config(env).rateLimit.upstash!, perMinute, ctx) : durableObjectLimiter(env, perMinute);
