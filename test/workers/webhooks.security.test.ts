/**
 * Webhook bodies are read only after the sender has shown it may send one: Replicate's signature
 * headers (present and fresh) before a byte of the body, at most 1 MiB for Replicate's small JSON
 * events; large bodies only for Cog, whose token is checked first.
 */
import { exports } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { api, readResponse } from "../support/api";
import { TEST_WEBHOOK_SECRET } from "../support/gpu-constants";
import { deliver } from "../support/media";

const worker = (exports as unknown as { default: Fetcher }).default;
const signer = new Webhook(TEST_WEBHOOK_SECRET);
const MiB = 1024 * 1024;

/** An endless body that counts what the Worker pulled from it. */
function endlessBody() {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled.bytes += chunk.length;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled };
}

async function post(path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) {
  return readResponse(await worker.fetch(`http://localhost${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }));
}

const signedHeaders = (body: string, at = new Date(), id = `msg_${crypto.randomUUID().replaceAll("-", "")}`) => ({
  "Content-Type": "application/json",
  "webhook-id": id,
  "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
  "webhook-signature": signer.sign(id, at, body),
});

describe("Replicate webhook bodies", () => {
  it("missing signature headers are refused before the body is read", async () => {
    const { stream, pulled } = endlessBody();
    const res = await post("/webhooks/replicate/media_nobodyreadhere0000001", stream, {});
    expect(res.status, res.text).toBe(401);
    expect(pulled.bytes).toBeLessThan(MiB);
  });

  it("a stale timestamp is refused before the body is read", async () => {
    const { stream, pulled } = endlessBody();
    const old = String(Math.floor(Date.now() / 1000) - 10 * 60);
    const res = await post("/webhooks/replicate/media_nobodyreadhere0000002", stream, {
      "webhook-id": "msg_stale",
      "webhook-timestamp": old,
      "webhook-signature": "v1,AAAA",
    });
    expect(res.status, res.text).toBe(401);
    expect(pulled.bytes).toBeLessThan(MiB);
  });

  it("fresh headers with an endless body stop at 1 MiB", async () => {
    const { stream, pulled } = endlessBody();
    const now = String(Math.floor(Date.now() / 1000));
    const res = await post("/webhooks/replicate/media_nobodyreadhere0000003", stream, {
      "webhook-id": "msg_endless",
      "webhook-timestamp": now,
      "webhook-signature": "v1,AAAA",
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe("INVALID_REQUEST");
    expect(pulled.bytes).toBeLessThan(2 * MiB);
  });

  it("a correctly signed body over 1 MiB is refused", async () => {
    const body = JSON.stringify({ id: "abc", status: "processing", logs: "x".repeat(MiB + 10) });
    const res = await api("POST", "/webhooks/replicate/media_bigbodyrefused00000001", { key: null, rawBody: body, headers: signedHeaders(body) });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe("INVALID_REQUEST");
  });

  it("a small signed event still goes through", async () => {
    const body = JSON.stringify({ id: "abc", status: "processing" });
    const res = await deliver({ url: "http://chattr.test/webhooks/replicate/media_smallbodyaccepted00001", body, headers: signedHeaders(body) });
    expect(res.status, res.text).toBe(200);
  });
});

describe("Cog webhook bodies", () => {
  it("are not read without the token", async () => {
    const { stream, pulled } = endlessBody();
    const res = await post("/webhooks/cog/media_nobodyreadhere0000004?token=wrong", stream, {});
    expect(res.status, res.text).toBe(401);
    expect(pulled.bytes).toBeLessThan(MiB);
  });
});

describe("webhook answers", () => {
  it("say only that the webhook is invalid; the reason goes to the log with the request id", async () => {
    const warnings = vi.spyOn(console, "warn");
    const body = JSON.stringify({ id: "abc", status: "succeeded" });
    const forged = { ...signedHeaders(body), "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };
    const res = await api("POST", "/webhooks/replicate/media_forgedsignature000001", {
      key: null,
      rawBody: body,
      headers: { ...forged, "X-Request-Id": "req-webhook-forged-1" },
    });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toBe("Invalid webhook");
    const logged = warnings.mock.calls.map((call) => String(call[0])).find((line) => line.includes("req-webhook-forged-1"));
    expect(logged, "a log line with the request id").toBeDefined();
    expect(JSON.parse(logged!)).toMatchObject({ level: "warn", event: "webhook_rejected", request_id: "req-webhook-forged-1" });
    expect(logged).not.toContain(TEST_WEBHOOK_SECRET);
    warnings.mockRestore();
  });
});
