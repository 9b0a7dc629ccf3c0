import { describe, expect, it, vi } from "vitest";
import { api } from "../support/api";
import { env } from "../support/env";
import { TEST_COG_TOKEN } from "../support/gpu-constants";
import { asset, deliver, drainWebhooks, signedWebhook, status, takeWebhooks, terminal, voiceJobHooks, waitForStatus } from "../support/media";
import { getDb } from "../../workers/db/client";
import { getJob, transitionsOf } from "../../workers/media/store";

// Jobs run through the GPU emulator; on a loaded 2-core machine a few seconds is not a hang.
vi.setConfig({ testTimeout: 30_000 });

const signed = signedWebhook;
const jobWithHooks = (text: string) => voiceJobHooks(text);

const snapshot = async (id: string) => {
  const db = getDb(env.DB);
  return { row: await getJob(db, id), transitions: await transitionsOf(db, id) };
};

describe("Replicate webhooks", () => {
  it("a bad signature is 401 and changes nothing", async () => {
    const { id, hooks } = await jobWithHooks("bad signature test");
    const before = await snapshot(id);
    const last = hooks.at(-1)!;
    const forged = await deliver(last, { "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" });
    expect(forged.status).toBe(401);
    expect(forged.json.error.code).toBe("UNAUTHORIZED");
    // A body changed after signing fails too.
    const tampered = await deliver({ ...last, body: last.body.replace('"succeeded"', '"failed"') });
    expect(tampered.status).toBe(401);
    // No signature at all.
    expect((await api("POST", `/webhooks/replicate/${id}`, { key: null, rawBody: last.body })).status).toBe(401);
    expect(await snapshot(id)).toEqual(before);
  });

  it("a correctly signed webhook with a stale (or future) timestamp is 401 and changes nothing", async () => {
    const { id, hooks } = await jobWithHooks("stale timestamp test");
    const before = await snapshot(id);
    const last = hooks.at(-1)!;
    const old = signed(last.url, last.body, new Date(Date.now() - 6 * 60_000));
    expect((await deliver(old)).status).toBe(401);
    const future = signed(last.url, last.body, new Date(Date.now() + 6 * 60_000));
    expect((await deliver(future)).status).toBe(401);
    expect(await snapshot(id)).toEqual(before);
    // Within the window the same body is accepted.
    expect((await deliver(signed(last.url, last.body, new Date(Date.now() - 60_000)))).json.applied).toBe(true);
    expect((await status(id)).json.status).toBe("completed");
  });

  it("a duplicated webhook is acknowledged once and written once", async () => {
    const { id, hooks } = await jobWithHooks("duplicate delivery test");
    for (const hook of hooks) expect((await deliver(hook)).status).toBe(200);
    const after = await snapshot(id);
    expect(after.row!.status).toBe("completed");
    for (const hook of hooks) {
      const again = await deliver(hook);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ applied: false, reason: "duplicate" });
    }
    expect(await snapshot(id)).toEqual(after);
    const completions = after.transitions.filter((t) => t.toStatus === "completed");
    expect(completions).toHaveLength(1);
  });

  it("reordered webhooks never move a job backwards", async () => {
    const { id, hooks } = await jobWithHooks("reordered delivery test");
    const terminalHook = hooks.find((h) => JSON.parse(h.body).status === "succeeded")!;
    expect((await deliver(terminalHook)).json.applied).toBe(true);
    const after = await snapshot(id);
    expect(after.row).toMatchObject({ status: "completed", progress: 100 });
    // The earlier events arrive late, in reverse.
    for (const hook of hooks.filter((h) => h !== terminalHook).reverse()) expect((await deliver(hook)).status).toBe(200);
    // And an old event replayed under a fresh id (a correctly signed replay).
    const start = hooks.find((h) => JSON.parse(h.body).status === "processing")!;
    expect((await deliver(signed(start.url, start.body))).status).toBe(200);
    expect(await snapshot(id)).toEqual(after);
  });

  it("progress from out-of-order log events never drops", async () => {
    const { id, hooks } = await jobWithHooks("progress order test");
    const logs = hooks.filter((h) => JSON.parse(h.body).status === "processing");
    const [a, b] = [logs.at(-1)!, logs[1]!];
    await deliver(a);
    const high = (await status(id)).json.progress;
    await deliver(b);
    expect((await status(id)).json.progress).toBe(high);
  });

  it("a webhook for an unknown request is acknowledged and ignored", async () => {
    const body = JSON.stringify({ id: "abc", status: "succeeded", output: "http://127.0.0.1:1/x.wav" });
    const res = await deliver(signed("http://chattr.test/webhooks/replicate/media_unknown0000000000", body));
    expect(res.status).toBe(200);
    expect(res.json.applied).toBe(false);
  });
});

describe("Cog webhooks", () => {
  it("need Cog's bearer token or the job's URL token, compared in constant time", async () => {
    await drainWebhooks();
    const { createJob } = await import("../../workers/media/create");
    const { submitJob } = await import("../../workers/media/submit-job");
    const { voiceCall } = await import("../../gpu-jobs/models");
    const { getCharacterRow } = await import("../../workers/db/characters");
    const db = getDb(env.DB);
    const character = (await getCharacterRow(db, "assistant"))!;
    const call = voiceCall(character.voiceModel, "Hello from a self-hosted GPU.", { speed: 1, pitch: 1, emotion: "neutral" });
    if (!call.ok) throw new Error(call.message);
    const job = await createJob(db, { keyId: "key_admin", character, text: "Hello from a self-hosted GPU.", provider: "cog", settings: {} }, call.call);
    await submitJob(env, job.id);
    const hooks: Awaited<ReturnType<typeof takeWebhooks>> = [];
    const deadline = Date.now() + 10_000;
    while (!hooks.some((h) => JSON.parse(h.body).status === "succeeded")) {
      if (Date.now() > deadline) throw new Error("no Cog webhook");
      hooks.push(...(await takeWebhooks()).filter((h) => new URL(h.url).pathname === `/webhooks/cog/${job.id}`));
      await new Promise((r) => setTimeout(r, 50));
    }
    const last = hooks.at(-1)!;
    expect(last.headers.Authorization).toBe(`Bearer ${TEST_COG_TOKEN}`);
    const noToken = { ...last, url: last.url.split("?")[0]!, headers: { "Content-Type": "application/json" } };
    expect((await deliver(noToken)).status).toBe(401);
    expect((await deliver({ ...noToken, url: `${noToken.url}?token=wrong` })).status).toBe(401);
    expect((await deliver(noToken, { Authorization: "Bearer wrong" })).status).toBe(401);
    expect((await getJob(db, job.id))!.status).not.toBe("completed");
    // The per-job URL token alone is enough (a Cog server without WEBHOOK_AUTH_TOKEN).
    const byUrl = await deliver({ ...last, headers: { "Content-Type": "application/json" } });
    expect(byUrl.status, byUrl.text).toBe(200);
    const done = (await status(job.id)).json;
    expect(done.status).toBe("completed");
    // Cog returns the file as a data URI; it was decoded, measured and stored.
    expect(done.result.duration_seconds).toBeGreaterThan(1);
    const file = await asset(done.result.audio_url);
    expect(file.headers.get("Content-Type")).toBe("audio/wav");
    expect(file.bytes.length).toBe(done.result.file_size_bytes);
  });
});

describe("/assets", () => {
  it("serves without a key, with Range, ETag / If-None-Match and a long cache lifetime", async () => {
    await drainWebhooks();
    const res = await api("POST", "/api/v1/media/voice", { body: { text: "A file to seek in." } });
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    const url = done.result.audio_url;
    const full = await asset(url);
    expect(full.status).toBe(200);
    expect(full.headers.get("Accept-Ranges")).toBe("bytes");
    expect(full.headers.get("Cache-Control")).toMatch(/max-age=31536000/);
    const etag = full.headers.get("ETag")!;
    expect(etag).toMatch(/^"/);

    const part = await asset(url, { Range: "bytes=0-43" });
    expect(part.status).toBe(206);
    expect(part.bytes.length).toBe(44);
    expect(part.headers.get("Content-Range")).toBe(`bytes 0-43/${full.bytes.length}`);
    expect(new TextDecoder().decode(part.bytes.subarray(0, 4))).toBe("RIFF");

    const tail = await asset(url, { Range: "bytes=-100" });
    expect(tail.status).toBe(206);
    expect(tail.bytes).toEqual(full.bytes.subarray(full.bytes.length - 100));
    expect(tail.headers.get("Content-Range")).toBe(`bytes ${full.bytes.length - 100}-${full.bytes.length - 1}/${full.bytes.length}`);

    const open = await asset(url, { Range: "bytes=100-" });
    expect(open.status).toBe(206);
    expect(open.bytes.length).toBe(full.bytes.length - 100);

    expect((await asset(url, { Range: `bytes=${full.bytes.length + 10}-` })).status).toBe(416);

    const cached = await asset(url, { "If-None-Match": etag });
    expect(cached.status).toBe(304);
    expect(cached.bytes.length).toBe(0);
    expect((await asset(url, { "If-None-Match": '"other"' })).status).toBe(200);
  });

  it("answers 404 for unknown files, other folders and path tricks", async () => {
    expect((await asset("/assets/audio/voice_doesnotexist.wav")).status).toBe(404);
    expect((await asset("/assets/secrets/x.wav")).status).toBe(404);
    expect((await asset("/assets/audio/..%2Fvideo%2Fx.mp4")).status).toBe(404);
    expect((await asset("/assets/audio/x.exe")).status).toBe(404);
  });
});
