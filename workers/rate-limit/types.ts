/** One decision, whichever store made it. Times are whole seconds from now. */
export interface RateLimitResult {
  success: boolean;
  /** Requests allowed per window. */
  limit: number;
  remaining: number;
  /** Seconds until the window that counted this request ends. */
  resetSeconds: number;
  /** Seconds a refused caller should wait; 0 when allowed. */
  retryAfterSeconds: number;
}

/** Both stores count over a sliding window of this many seconds. */
export const WINDOW_SECONDS = 60;
