import { describe, expect, it, vi } from "vitest";
import { getRateLimiter } from "../../workers/rate-limit/limiter";
import { createKey } from "../support/api";
import { callWith, freshIp } from "../support/app";
import { env } from "../support/env";

// Limit 1, so any second call that goes through proves the limiter failed open.
const down = { UPSTASH_REDIS_REST_URL: env.TEST_CLOSED_URL, UPSTASH_REDIS_REST_TOKEN: "secret-token-never-logged", RATE_LIMIT_PER_MINUTE: "1" };
const redisDown = { ...down, UPSTASH_REDIS_REST_URL: env.TEST_UPSTASH_REDIS_DOWN_URL, UPSTASH_REDIS_REST_TOKEN: env.TEST_UPSTASH_TOKEN };

describe("Redis unreachable: the API keeps answering", () => {
  it("fails open, logs one JSON line without the token, and health shows it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { key } = await createKey("redis-down");
    for (let i = 0; i < 3; i++) {
      const res = await callWith(down, "GET", "/api/v1/characters", { key });
      expect(res.status).toBe(200);
    }
    const lines = errors.mock.calls.map((call) => String(call[0])).filter((l) => l.includes("rate_limit_store_failing_open"));
    errors.mockRestore();
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(3); // one line when it starts failing, not one per request
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "error", store: "upstash", identifier_kind: "key" });
    expect(lines.join("\n")).not.toContain("secret-token-never-logged");
    expect(lines.join("\n")).not.toContain(key);

    const health = await callWith(down, "GET", "/api/v1/health", { key: null, headers: { "CF-Connecting-IP": freshIp() } });
    expect(health.json.status).toBe("degraded");
    expect(health.json.services.redis).toBe("unhealthy");
    expect(health.json.details.redis_failing_open).toBe(true);
  });

  it("never loses a chat turn", async () => {
    const { key } = await createKey("chatty");
    const sessionId = `redis-down-${crypto.randomUUID()}`;
    for (const message of ["one", "two"]) {
      const res = await callWith(down, "POST", "/api/v1/chat/message", { key, body: { message, session_id: sessionId } });
      expect(res.status).toBe(200);
      expect(res.json.response).toEqual(expect.any(String));
    }
    const history = await callWith(down, "GET", `/api/v1/chat/history/${sessionId}`, { key });
    expect(history.json.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
  });

  it("fails open when the REST endpoint is up but its Redis is down", async () => {
    const limiter = getRateLimiter({ ...env, ...redisDown })!;
    const id = `key:${crypto.randomUUID()}`;
    const results = [await limiter.limit(id), await limiter.limit(id), await limiter.limit(id)];
    expect(results.every((r) => r.success)).toBe(true);
  });

  it("fails open within the Redis timeout, not after retries", async () => {
    const limiter = getRateLimiter({ ...env, ...down })!;
    const started = Date.now();
    expect((await limiter.limit(`key:${crypto.randomUUID()}`)).success).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("recovers: once Redis answers, limits apply again", async () => {
    const up = { ...down, UPSTASH_REDIS_REST_URL: env.TEST_UPSTASH_URL, UPSTASH_REDIS_REST_TOKEN: env.TEST_UPSTASH_TOKEN };
    const { key } = await createKey("recovered");
    expect((await callWith(up, "GET", "/api/v1/characters", { key })).status).toBe(200);
    expect((await callWith(up, "GET", "/api/v1/characters", { key })).status).toBe(429);
    // A fresh address: public routes are limited per address, and "unknown" is shared with other files.
    const health = await callWith(up, "GET", "/api/v1/health", { key: null, headers: { "CF-Connecting-IP": freshIp() } });
    expect(health.json.details.redis_failing_open).toBe(false);
  });
});
