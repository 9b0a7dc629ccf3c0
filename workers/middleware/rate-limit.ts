import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "../api-error";
import type { AppEnv } from "../env";
import { addressBucket } from "../rate-limit/address-bucket";
import { rateLimitHeaders } from "../rate-limit/headers";
import { getRateLimiter } from "../rate-limit/limiter";
import type { RateLimitResult } from "../rate-limit/types";
import { clientAddress } from "./client-address";

/** CF-Connecting-IP (see client-address.ts); calls from inside share one "unknown" budget. */
const clientIp = (c: Context<AppEnv>) => clientAddress(c) ?? "unknown";

/** Throws the 429 of a refused `result`, with its RateLimit-* and Retry-After fields; passes otherwise. */
export function refuseOverLimit(c: Context<AppEnv>, result: RateLimitResult, message = `Too many requests: ${result.limit} per minute`): void {
  if (result.success) return;
  // c.header() fields are merged into the error response the error handler builds.
  for (const [name, value] of Object.entries(rateLimitHeaders(result))) c.header(name, value);
  throw new ApiError("RATE_LIMIT_EXCEEDED", `${message}; retry in ${result.retryAfterSeconds} s`, undefined, result.retryAfterSeconds);
}

/**
 * Per API key (per client IP on public routes), from RATE_LIMIT_PER_MINUTE. Runs after auth, so a
 * key is limited by its id. Refusals are 429 RATE_LIMIT_EXCEEDED with Retry-After; every limited
 * route carries the RateLimit-* fields.
 */
export const rateLimit = (): MiddlewareHandler<AppEnv> =>
  async function rateLimit(c, next) {
    const limiter = getRateLimiter(c.env, c.executionCtx);
    if (!limiter) return next();
    const caller = c.get("caller");
    const result = await limiter.limit(caller ? `key:${caller.keyId}` : `ip:${addressBucket(clientIp(c))}`);
    refuseOverLimit(c, result);
    await next();
    // A WebSocket upgrade (101) keeps its headers as they are; its frames are limited one by one.
    if (c.res.status === 101) return;
    for (const [name, value] of Object.entries(rateLimitHeaders(result))) c.res.headers.set(name, value);
  };
