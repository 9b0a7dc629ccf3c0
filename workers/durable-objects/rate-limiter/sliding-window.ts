/**
 * The sliding-window counter @upstash/ratelimit's `slidingWindow` uses, so both stores enforce the same
 * limit: the previous fixed window's count, weighted by how much of it still overlaps the sliding
 * window, plus the current window's count. Pure, so it is tested without a Durable Object.
 */
export interface WindowState {
  /** Start (ms) of the current fixed window. */
  windowStart: number;
  current: number;
  previous: number;
}

export interface WindowDecision {
  success: boolean;
  remaining: number;
  /** When (ms) the current fixed window ends. */
  resetAt: number;
}

export function hit(state: WindowState | undefined, limit: number, windowMs: number, now: number): { state: WindowState; decision: WindowDecision } {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  let next: WindowState;
  if (!state || state.windowStart < windowStart - windowMs) next = { windowStart, current: 0, previous: 0 };
  else if (state.windowStart < windowStart) next = { windowStart, current: 0, previous: state.current };
  else next = { ...state };

  const overlap = 1 - (now - windowStart) / windowMs;
  const used = Math.floor(next.previous * overlap) + next.current;
  const resetAt = windowStart + windowMs;
  if (used >= limit) return { state: next, decision: { success: false, remaining: 0, resetAt } };
  next.current++;
  return { state: next, decision: { success: true, remaining: Math.max(0, limit - used - 1), resetAt } };
}
