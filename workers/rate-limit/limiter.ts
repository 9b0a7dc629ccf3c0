import type { Env } from "../env";
import { durableObjectLimiter } from "./durable-object-limiter";
import type { RateLimitResult } from "./types";
import { upstashLimiter } from "./upstash-limiter";

export { WINDOW_SECONDS, type RateLimitResult } from "./types";

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

const DEFAULT_PER_MINUTE = 120;

/** RATE_LIMIT_PER_MINUTE: default 120, `0` turns limiting off. */
export function rateLimitPerMinute(env: Pick<Env, "RATE_LIMIT_PER_MINUTE">): number {
  const raw = env.RATE_LIMIT_PER_MINUTE?.trim();
  if (!raw) return DEFAULT_PER_MINUTE;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_PER_MINUTE;
}

export const upstashConfigured = (env: Env) => Boolean(env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN);

/**
 * The limiter for this configuration, or undefined when limiting is off: Upstash Redis when
 * UPSTASH_REDIS_REST_URL/TOKEN are set (shared by every location), else the RateLimiter Durable Object.
 * `ctx` lets the Upstash client finish its background work after the response.
 */
export function getRateLimiter(env: Env, ctx?: { waitUntil(promise: Promise<unknown>): void }): RateLimiter | undefined {
  const perMinute = rateLimitPerMinute(env);
  if (perMinute === 0) return undefined;
  return limiterAt(env, perMinute, ctx);
}

/** The same stores at another rate (the /assets limit); use identifiers of its own kind. */
export const limiterAt = (env: Env, perMinute: number, ctx?: { waitUntil(promise: Promise<unknown>): void }): RateLimiter =>
  upstashConfigured(env) ? upstashLimiter(env, perMinute, ctx) : durableObjectLimiter(env, perMinute);
