/**
 * Failed authentications are limited per client address (an IPv6 /64), checked before any key is
 * looked up, in both limiter stores; webhooks count only deliveries that fail verification; /assets
 * has its own generous per-address limit.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { authenticateFrom } from "../../workers/auth/authenticate";
import { addressBucket } from "../../workers/rate-limit/address-bucket";
import { ADMIN_KEY, createKey } from "../support/api";
import { callWith, freshIp } from "../support/app";
import { env } from "../support/env";
import { TEST_WEBHOOK_SECRET } from "../support/gpu-constants";

// /assets makes up to 1,200 calls: room for a busy machine.
vi.setConfig({ testTimeout: 150_000 });

// The numbers of docs/operations.md's rate-limit section.
const FAILED_AUTH_PER_MINUTE = 20;
const ASSET_REQUESTS_PER_MINUTE = 600;

const upstash = { UPSTASH_REDIS_REST_URL: env.TEST_UPSTASH_URL, UPSTASH_REDIS_REST_TOKEN: env.TEST_UPSTASH_TOKEN };
const stores = { "the Durable Object store": {}, "the Upstash store": upstash };

/**
 * Makes attempts until one is refused and answers how many went through. Both stores count a sliding
 * minute, weighing the previous minute's count by how much of it still overlaps, so a run that
 * straddles a minute boundary gets through a little more: never fewer than `limit` (the estimate never
 * exceeds the true count), never 2 x `limit` (the current minute alone reaches the limit). Asserting that
 * range holds however fast the machine is, and still fails wherever nothing is refused.
 */
async function passedBeforeRefusal(limit: number, attempt: (i: number) => Promise<Awaited<ReturnType<typeof callWith>>>, expected: number) {
  for (let i = 0; i < 2 * limit; i++) {
    const res = await attempt(i);
    if (res.status === 429) {
      expectRefused(res);
      expect(i).toBeGreaterThanOrEqual(limit);
      return i;
    }
    expect(res.status).toBe(expected);
  }
  throw new Error(`nothing refused after ${2 * limit} attempts`);
}

/** A fresh /64 each call, so no two tests share a budget. */
const freshIpv6Prefix = () => `2001:db8:${Array.from(crypto.getRandomValues(new Uint16Array(2)), (n) => n.toString(16)).join(":")}`;

const getCharacters = (overrides: object, ip: string, key: string | null) =>
  callWith(overrides, "GET", "/api/v1/characters", { key, headers: { "CF-Connecting-IP": ip } });

function expectRefused(res: Awaited<ReturnType<typeof callWith>>) {
  expect(res.status).toBe(429);
  expect(res.json.error.code).toBe("RATE_LIMIT_EXCEEDED");
  expect(res.json.error.request_id).toBe(res.headers.get("X-Request-Id"));
  const retryAfter = Number(res.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.json.error.retry_after_seconds).toBe(retryAfter);
}

for (const [name, overrides] of Object.entries(stores)) {
  describe(`failed API key authentications per address, with ${name}`, () => {
    it("refuses an address after 20 failures, before looking its key up (the right key too)", async () => {
      const ip = freshIp();
      await passedBeforeRefusal(FAILED_AUTH_PER_MINUTE, (i) => getCharacters(overrides, ip, `chk_guess_${i}`), 401);
      // Out of budget, even the admin key is not tried: a guess that happens to be right learns nothing.
      expectRefused(await getCharacters(overrides, ip, ADMIN_KEY));
      expect((await getCharacters(overrides, freshIp(), ADMIN_KEY)).status).toBe(200);
    });

    it("lets a key in use at the address keep working, and refuses a key it has not shown yet", async () => {
      const inUse = await createKey();
      const unseen = await createKey();
      const ip = freshIp();
      expect((await getCharacters(overrides, ip, inUse.key)).status).toBe(200);
      await passedBeforeRefusal(FAILED_AUTH_PER_MINUTE, (i) => getCharacters(overrides, ip, `chk_guess_${i}`), 401);
      // Verified here moments ago: no guess, so a flood of bad guesses from a shared address cannot lock it out.
      expect((await getCharacters(overrides, ip, inUse.key)).status).toBe(200);
      expectRefused(await getCharacters(overrides, ip, unseen.key));
    });

    it("spends nothing on successful authentications", async () => {
      const ip = freshIp();
      for (let i = 0; i < FAILED_AUTH_PER_MINUTE + 10; i++) expect((await getCharacters(overrides, ip, ADMIN_KEY)).status).toBe(200);
      await passedBeforeRefusal(FAILED_AUTH_PER_MINUTE, (i) => getCharacters(overrides, ip, `chk_guess_${i}`), 401);
    });

    it("counts an IPv6 client by its /64", async () => {
      const prefix = freshIpv6Prefix();
      await passedBeforeRefusal(FAILED_AUTH_PER_MINUTE, (i) => getCharacters(overrides, `${prefix}:0:0:0:${(i + 1).toString(16)}`, `chk_guess_${i}`), 401);
      expectRefused(await getCharacters(overrides, `${prefix}::ffff`, ADMIN_KEY));
      expectRefused(await getCharacters(overrides, `${prefix}:1234:5678:9abc:def0`.toUpperCase(), ADMIN_KEY));
      expect((await getCharacters(overrides, `${freshIpv6Prefix()}::1`, ADMIN_KEY)).status).toBe(200);
    });
  });
}

describe("failed authentications, whatever the limit on requests", () => {
  it("do not count a request that sends no key (no guess)", async () => {
    const ip = freshIp();
    for (let i = 0; i < 2 * FAILED_AUTH_PER_MINUTE; i++) expect((await getCharacters({}, ip, null)).status).toBe(401);
    expect((await getCharacters({}, ip, ADMIN_KEY)).status).toBe(200);
  });

  it("stay limited with RATE_LIMIT_PER_MINUTE=0", async () => {
    const ip = freshIp();
    const off = { RATE_LIMIT_PER_MINUTE: "0" };
    await passedBeforeRefusal(FAILED_AUTH_PER_MINUTE, (i) => getCharacters(off, ip, `chk_guess_${i}`), 401);
    expectRefused(await getCharacters(off, ip, ADMIN_KEY));
  });
});

describe("webhooks", () => {
  const signer = new Webhook(TEST_WEBHOOK_SECRET);
  const body = JSON.stringify({ id: "prediction-burst", status: "processing", logs: "" });
  const signed = () => {
    const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    const at = new Date();
    return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signer.sign(id, at, body) };
  };
  const deliver = (ip: string, headers: Record<string, string>) =>
    callWith({}, "POST", "/webhooks/replicate/media_unknownjob0001", {
      key: null,
      rawBody: body,
      headers: { ...headers, "CF-Connecting-IP": ip, "Content-Type": "application/json" },
    });

  it("never throttle a provider's burst of verified deliveries", async () => {
    const ip = freshIp();
    for (let i = 0; i < FAILED_AUTH_PER_MINUTE * 3; i++) expect((await deliver(ip, signed())).status).toBe(200);
  });

  it("count deliveries that fail verification, then refuse the address", async () => {
    const ip = freshIp();
    const forged = { ...signed(), "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };
    await passedBeforeRefusal(FAILED_AUTH_PER_MINUTE, () => deliver(ip, forged), 401);
    expectRefused(await deliver(ip, signed()));
    expect((await deliver(freshIp(), signed())).status).toBe(200);
  });

  it("share the budget with API keys", async () => {
    const ip = freshIp();
    await passedBeforeRefusal(FAILED_AUTH_PER_MINUTE, (i) => getCharacters({}, ip, `chk_guess_${i}`), 401);
    expectRefused(await deliver(ip, signed()));
  });
});

describe("/assets", () => {
  const fetchAsset = (ip: string) => callWith({}, "GET", "/assets/audio/not-a-file.wav", { key: null, headers: { "CF-Connecting-IP": ip } });

  it(`allows ${ASSET_REQUESTS_PER_MINUTE} requests a minute per address, then 429`, async () => {
    const ip = freshIp();
    await passedBeforeRefusal(ASSET_REQUESTS_PER_MINUTE, () => fetchAsset(ip), 404);
    expect((await fetchAsset(freshIp())).status).toBe(404);
  });
});

describe("authenticateFrom (what the WebSocket auth frame calls)", () => {
  for (const [name, overrides] of Object.entries(stores)) {
    it(`checks the address's budget before the key and counts failures, with ${name}`, async () => {
      const bindings = { ...env, ...overrides };
      const ip = freshIp();
      expect(await authenticateFrom(bindings, ip, ADMIN_KEY)).toEqual({ ok: true, caller: { keyId: "key_admin", scopes: ["admin"] } });
      // As passedBeforeRefusal: at least the limit gets through, and the limit is reached within twice that.
      let failures = 0;
      const failed = async () => {
        const outcome = await authenticateFrom(bindings, ip, `chk_guess_${failures}`);
        return !outcome.ok && outcome.code === "UNAUTHORIZED";
      };
      while (await failed()) {
        failures++;
        expect(failures).toBeLessThan(2 * FAILED_AUTH_PER_MINUTE);
      }
      expect(failures).toBeGreaterThanOrEqual(FAILED_AUTH_PER_MINUTE);
      const refused = await authenticateFrom(bindings, ip, ADMIN_KEY);
      expect(refused).toMatchObject({ ok: false, code: "RATE_LIMIT_EXCEEDED", limit: { success: false, limit: FAILED_AUTH_PER_MINUTE } });
      if (refused.ok || refused.code !== "RATE_LIMIT_EXCEEDED") throw new Error("not refused");
      expect(refused.limit.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // An unknown address (a call from inside, no CF-Connecting-IP) is not limited.
      expect((await authenticateFrom(bindings, undefined, ADMIN_KEY)).ok).toBe(true);
    });
  }
});

describe("addressBucket", () => {
  it("keeps IPv4, reduces IPv6 to its /64 and reads IPv4-mapped IPv6 as IPv4", () => {
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket("2001:DB8:0:1:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:0:1::/64");
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("::ffff:198.51.100.4")).toBe("198.51.100.4");
    expect(addressBucket("2001:db8:1:2:3:4:5:6:7")).toBe("2001:db8:1:2:3:4:5:6:7");
  });
});
