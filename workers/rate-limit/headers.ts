import { WINDOW_SECONDS, type RateLimitResult } from "./types";

/**
 * The RateLimit fields of draft-ietf-httpapi-ratelimit-headers-06 (RateLimit-Limit, -Remaining, -Reset
 * as delta seconds, and RateLimit-Policy `<limit>;w=<window>`), the draft most clients and gateways
 * implement; later drafts fold them into `RateLimit`/`RateLimit-Policy` structured fields.
 */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
    "RateLimit-Policy": `${result.limit};w=${WINDOW_SECONDS}`,
  };
}
