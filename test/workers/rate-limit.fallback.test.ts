import { describe, expect, it } from "vitest";
import { rateLimitErrorFrame } from "../../workers/realtime/frames";
import { getRateLimiter } from "../../workers/rate-limit/limiter";
import { hit, type WindowState } from "../../workers/durable-objects/rate-limiter/sliding-window";
import { createKey } from "../support/api";
import { callWith, freshIp } from "../support/app";
import { env } from "../support/env";

// No UPSTASH_* in the test bindings: these calls go through the RateLimiter Durable Object.
const limited = { RATE_LIMIT_PER_MINUTE: "3" };

describe("the embedded fallback limits per API key", () => {
  it("answers with RateLimit fields, then 429 RATE_LIMIT_EXCEEDED with Retry-After", async () => {
    const { key } = await createKey("limited");
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await callWith(limited, "GET", "/api/v1/characters", { key });
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Limit")).toBe("3");
      expect(res.headers.get("RateLimit-Policy")).toBe("3;w=60");
      remaining.push(res.headers.get("RateLimit-Remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    const refused = await callWith(limited, "GET", "/api/v1/characters", { key });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("RATE_LIMIT_EXCEEDED");
    expect(refused.json.error.request_id).toBe(refused.headers.get("X-Request-Id"));
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json.error.retry_after_seconds).toBe(retryAfter);
    expect(refused.headers.get("RateLimit-Remaining")).toBe("0");
    expect(Number(refused.headers.get("RateLimit-Reset"))).toBeLessThanOrEqual(60);
  });

  it("keeps each key's budget apart", async () => {
    const a = await createKey("a");
    const b = await createKey("b");
    for (let i = 0; i < 3; i++) await callWith(limited, "GET", "/api/v1/characters", { key: a.key });
    expect((await callWith(limited, "GET", "/api/v1/characters", { key: a.key })).status).toBe(429);
    expect((await callWith(limited, "GET", "/api/v1/characters", { key: b.key })).status).toBe(200);
  });

  it("limits a public route per client IP", async () => {
    const ip = freshIp();
    const headers = { "CF-Connecting-IP": ip };
    const overrides = { RATE_LIMIT_PER_MINUTE: "2" };
    expect((await callWith(overrides, "GET", "/api/v1/health", { key: null, headers })).status).toBe(200);
    expect((await callWith(overrides, "GET", "/api/v1/health", { key: null, headers })).status).toBe(200);
    const refused = await callWith(overrides, "GET", "/api/v1/health", { key: null, headers });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("RATE_LIMIT_EXCEEDED");
    const other = await callWith(overrides, "GET", "/api/v1/health", { key: null, headers: { "CF-Connecting-IP": freshIp() } });
    expect(other.status).toBe(200);
  });

  it("is off with RATE_LIMIT_PER_MINUTE=0", async () => {
    const { key } = await createKey("unlimited");
    for (let i = 0; i < 5; i++) {
      const res = await callWith({ RATE_LIMIT_PER_MINUTE: "0" }, "GET", "/api/v1/characters", { key });
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Limit")).toBeNull();
    }
    expect(getRateLimiter({ ...env, RATE_LIMIT_PER_MINUTE: "0" })).toBeUndefined();
  });

  it("is usable directly, as the WebSocket code calls it per frame", async () => {
    const limiter = getRateLimiter({ ...env, RATE_LIMIT_PER_MINUTE: "2" })!;
    expect(limiter.store).toBe("durable-object");
    const id = `key:frames-${crypto.randomUUID()}`;
    const results = [await limiter.limit(id), await limiter.limit(id), await limiter.limit(id)];
    expect(results.map((r) => r.success)).toEqual([true, true, false]);
    expect(results[2]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(results[2]!.remaining).toBe(0);
    expect(rateLimitErrorFrame(results[2]!)).toEqual({
      type: "error",
      code: "RATE_LIMIT_EXCEEDED",
      message: "Too many requests",
      retry_after_seconds: results[2]!.retryAfterSeconds,
    });
  });
});

describe("the sliding window (the algorithm both stores use)", () => {
  const minute = 60_000;

  it("weights the previous window by how much of it still overlaps", () => {
    let state: WindowState | undefined;
    const t0 = 10 * minute;
    for (let i = 0; i < 4; i++) state = hit(state, 4, minute, t0 + i).state;
    expect(hit(state, 4, minute, t0 + 10).decision.success).toBe(false);
    // A quarter into the next window, floor(3/4 of 4) = 3 still count: one more call fits, not two.
    const quarter = hit(state, 4, minute, t0 + minute + minute / 4);
    expect(quarter.decision).toMatchObject({ success: true, remaining: 0 });
    expect(hit(quarter.state, 4, minute, t0 + minute + minute / 4).decision.success).toBe(false);
    // Two windows later nothing is left of it.
    expect(hit(state, 4, minute, t0 + 2 * minute).decision).toMatchObject({ success: true, remaining: 3 });
  });
});
