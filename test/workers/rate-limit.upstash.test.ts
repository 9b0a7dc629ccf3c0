import { Redis } from "@upstash/redis/cloudflare";
import { describe, expect, it } from "vitest";
import { getRateLimiter } from "../../workers/rate-limit/limiter";
import { createKey } from "../support/api";
import { callWith, freshIp } from "../support/app";
import { env } from "../support/env";
import { toHex } from "../../shared/crypto";

// Through @upstash/redis and @upstash/ratelimit to a real redis-server, via the REST adapter in tools/.
const upstash = { UPSTASH_REDIS_REST_URL: env.TEST_UPSTASH_URL, UPSTASH_REDIS_REST_TOKEN: env.TEST_UPSTASH_TOKEN };
const redis = () => new Redis({ url: env.TEST_UPSTASH_URL, token: env.TEST_UPSTASH_TOKEN, enableTelemetry: false });

describe("the Upstash limiter against a real Redis", () => {
  it("limits a key at RATE_LIMIT_PER_MINUTE and keeps its count in Redis", async () => {
    const { id, key } = await createKey("upstash-limited");
    const overrides = { ...upstash, RATE_LIMIT_PER_MINUTE: "3" };
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await callWith(overrides, "GET", "/api/v1/characters", { key });
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Limit")).toBe("3");
      remaining.push(res.headers.get("RateLimit-Remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const refused = await callWith(overrides, "GET", "/api/v1/characters", { key });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("RATE_LIMIT_EXCEEDED");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(refused.json.error.retry_after_seconds).toBe(Number(refused.headers.get("Retry-After")));

    // The window's counter is in Redis under the key's id (never the key itself).
    const stored = await redis().keys(`chattr:rl:key:${id}:*`);
    expect(stored.length).toBeGreaterThan(0);
    expect(await redis().keys(`*${key}*`)).toEqual([]);
  });

  it("shares one budget between limiters (as between edge locations)", async () => {
    const id = `key:shared-${crypto.randomUUID()}`;
    // Two configurations, so two Ratelimit instances with their own in-memory caches, one Redis.
    const first = getRateLimiter({ ...env, ...upstash, RATE_LIMIT_PER_MINUTE: "2" })!;
    const second = getRateLimiter({ ...env, ...upstash, UPSTASH_REDIS_REST_URL: `${env.TEST_UPSTASH_URL}/`, RATE_LIMIT_PER_MINUTE: "2" })!;
    expect(first.store).toBe("upstash");
    expect((await first.limit(id)).success).toBe(true);
    expect((await second.limit(id)).success).toBe(true);
    const third = await first.limit(id);
    expect(third.success).toBe(false);
    expect(third.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("limits a public route per client IP", async () => {
    const headers = { "CF-Connecting-IP": freshIp() };
    const overrides = { ...upstash, RATE_LIMIT_PER_MINUTE: "1" };
    expect((await callWith(overrides, "GET", "/api/v1/health", { key: null, headers })).status).not.toBe(429);
    expect((await callWith(overrides, "GET", "/api/v1/health", { key: null, headers })).status).toBe(429);
  });
});

describe("the REST adapter speaks Upstash's protocol", () => {
  it("relays commands with base64 responses, pipelines and transactions", async () => {
    const r = redis();
    const key = `adapter-${crypto.randomUUID()}`;
    expect(await r.set(key, "héllo wörld ✓")).toBe("OK");
    expect(await r.get(key)).toBe("héllo wörld ✓");
    expect(await r.ping()).toBe("PONG");

    const tx = r.multi();
    tx.incr(`${key}:n`);
    tx.incr(`${key}:n`);
    tx.get(key);
    expect(await tx.exec()).toEqual([1, 2, "héllo wörld ✓"]);

    const pipe = r.pipeline();
    pipe.hset(`${key}:h`, { a: "1" });
    pipe.hgetall(`${key}:h`);
    pipe.lpush(key, "x"); // WRONGTYPE: an error in place, the pipeline goes on
    const results = await pipe.exec({ keepErrors: true });
    expect(results[0]).toMatchObject({ result: 1 });
    expect(results[1]).toMatchObject({ result: { a: 1 } });
    expect(results[2]!.error).toMatch(/WRONGTYPE/);
  });

  it("runs EVAL and EVALSHA", async () => {
    const r = redis();
    const script = "return ARGV[1] .. '!'";
    expect(await r.eval(script, [], ["hi"])).toBe("hi!");
    const sha = await r.scriptLoad(script);
    expect(await r.evalsha(sha, [], ["again"])).toBe("again!");
  });

  it("relays scripts carrying Upstash's allow-key-locking flag, under the client's SHA", async () => {
    const r = redis();
    const script = "#!lua flags=allow-key-locking\nreturn 'locked ' .. ARGV[1]";
    const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script));
    const expected = toHex(digest);
    expect(await r.scriptLoad(script)).toBe(expected);
    expect(await r.evalsha(expected, [], ["in"])).toBe("locked in");
    expect(await r.eval(script, [], ["again"])).toBe("locked again");
  });

  it("refuses a wrong token", async () => {
    const res = await fetch(env.TEST_UPSTASH_URL, { method: "POST", headers: { Authorization: "Bearer wrong" }, body: '["PING"]' });
    expect(res.status).toBe(401);
  });
});
