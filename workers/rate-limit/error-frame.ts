import type { RateLimitResult } from "./types";

/** The reference's WebSocket error frame for a refused frame (api-reference.md, "Error Messages"). */
export interface RateLimitErrorFrame {
  type: "error";
  code: "RATE_LIMIT_EXCEEDED";
  message: string;
  retry_after_seconds: number;
}

/**
 * What a socket receives when one of its frames is over the limit; the socket stays open.
 *
 * @example
 * const result = await getRateLimiter(env, ctx)?.limit(`key:${caller.keyId}`);
 * if (result && !result.success) ws.send(JSON.stringify(rateLimitErrorFrame(result)));
 */
export const rateLimitErrorFrame = (result: RateLimitResult): RateLimitErrorFrame => ({
  type: "error",
  code: "RATE_LIMIT_EXCEEDED",
  message: "Too many requests",
  retry_after_seconds: result.retryAfterSeconds,
});
