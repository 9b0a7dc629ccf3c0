import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import { hit, type WindowDecision, type WindowState } from "./sliding-window";

/**
 * The embedded rate-limit store used when Upstash is not configured: one object per identifier
 * (`key:<id>` or `ip:<address>`), so limits hold across every isolate without anything to install.
 * The two window counters live in memory: an object is only evicted after it has been idle, and by then
 * its windows have usually passed; an eviction inside a window forgets at most that window's count.
 */
export class RateLimiter extends DurableObject<Env> {
  private state: WindowState | undefined;

  async hit(limit: number, windowMs: number): Promise<WindowDecision> {
    const { state, decision } = hit(this.state, limit, windowMs, Date.now());
    this.state = state;
    return decision;
  }
}
