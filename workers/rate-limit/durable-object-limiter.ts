import type { Env } from "../env";
import type { RateLimiter } from "./limiter";
import { WINDOW_SECONDS } from "./types";
import { errorText, log } from "../log";

/** The fallback store: the RateLimiter Durable Object of the identifier. */
export function durableObjectLimiter(env: Env, perMinute: number): RateLimiter {
  return {
    store: "durable-object",
    async limit(identifier) {
      const now = Date.now();
      try {
        const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(identifier));
        const decision = await stub.hit(perMinute, WINDOW_SECONDS * 1000);
        const resetSeconds = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
        return {
          success: decision.success,
          limit: perMinute,
          remaining: decision.remaining,
          resetSeconds,
          retryAfterSeconds: decision.success ? 0 : Math.max(1, resetSeconds),
        };
      } catch (error) {
        // Same rule as Redis: the limiter failing never refuses a request.
        log("error", "rate_limit_store_failing_open", { store: "durable-object", error: errorText(error) });
        return { success: true, limit: perMinute, remaining: perMinute, resetSeconds: WINDOW_SECONDS, retryAfterSeconds: 0 };
      }
    },
  };
}
