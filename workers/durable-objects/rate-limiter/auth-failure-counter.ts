import { DurableObject } from "cloudflare:workers";
import { hit, type WindowDecision, type WindowState } from "./sliding-window";
import type { Env } from "../../env";

/**
 * Failed authentications of one client address, when Upstash is not configured. Unlike the RateLimiter
 * object it can answer "is this address out of budget?" without counting: the check runs before every
 * key lookup, and a successful authentication must not spend the budget. Same sliding window.
 */
export class AuthFailureCounter extends DurableObject<Env> {
  private state: WindowState | undefined;

  /** Whether one more failure would still be within `limit`; counts nothing. */
  async peek(limit: number, windowMs: number): Promise<WindowDecision> {
    return peekWindow(this.state, limit, windowMs, Date.now());
  }

  /** Counts one failure (refused, and not counted, once the budget is spent). */
  async hit(limit: number, windowMs: number): Promise<WindowDecision> {
    const { state, decision } = hit(this.state, limit, windowMs, Date.now());
    this.state = state;
    return decision;
  }
}

/** hit() without the count: a limit of 0 refuses before counting, so it only moves the window. */
function peekWindow(state: WindowState | undefined, limit: number, windowMs: number, now: number): WindowDecision {
  const moved = hit(state, 0, windowMs, now).state;
  const overlap = 1 - (now - moved.windowStart) / windowMs;
  const used = Math.floor(moved.previous * overlap) + moved.current;
  return { success: used < limit, remaining: Math.max(0, limit - used), resetAt: moved.windowStart + windowMs };
}
