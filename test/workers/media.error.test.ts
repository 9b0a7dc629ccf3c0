import { describe, expect, it, vi } from "vitest";
import { api, createKey } from "../support/api";
import { env } from "../support/env";
import { drainWebhooks, pumpWebhooks, status, terminal, waitForStatus } from "../support/media";
import { MODEL_FAILED } from "../../workers/media/apply-prediction";
import { OUTPUT_UNUSABLE } from "../../workers/media/finalize-job";
import { reconcileMediaJobs } from "../../workers/media/reconcile";
import { getDb } from "../../workers/db/client";
import { getJob, transitionsOf } from "../../workers/media/store";

// Jobs run through the GPU emulator; on a loaded 2-core machine a few seconds is not a hang.
vi.setConfig({ testTimeout: 30_000 });

const voice = (body: unknown, headers?: Record<string, string>) => api("POST", "/api/v1/media/voice", { body, headers });
const video = (body: unknown) => api("POST", "/api/v1/media/video", { body });

describe("bad input", () => {
  it.each([
    ["empty text", { text: "" }],
    ["blank text", { text: "   \n" }],
    ["oversized text", { text: "a".repeat(5001) }],
    ["speed above range", { text: "hi", voice_settings: { speed: 3 } }],
    ["speed below range", { text: "hi", voice_settings: { speed: 0.1 } }],
    ["pitch out of range", { text: "hi", voice_settings: { pitch: 9 } }],
    ["unknown emotion", { text: "hi", voice_settings: { emotion: "furious" } }],
    ["unknown setting", { text: "hi", voice_settings: { volume: 2 } }],
    ["a pitch the voice model cannot make", { text: "hi", voice_settings: { pitch: 1.5 } }],
    ["an emotion the voice model cannot make", { text: "hi", voice_settings: { emotion: "happy" } }],
  ])("voice: %s is 400 INVALID_REQUEST", async (_name, body) => {
    const res = await voice(body);
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe("INVALID_REQUEST");
  });

  it.each([
    ["empty text", { text: "" }],
    ["width too small", { text: "x", video_settings: { width: 100 } }],
    ["height too large", { text: "x", video_settings: { height: 5000 } }],
    ["zero duration", { text: "x", video_settings: { duration_seconds: 0 } }],
    ["duration too long", { text: "x", video_settings: { duration_seconds: 60 } }],
    ["fractional width", { text: "x", video_settings: { width: 512.5 } }],
    ["empty style", { text: "x", video_settings: { style: "" } }],
    ["unknown mode", { text: "x", video_settings: { mode: "cartoon" } }],
  ])("video: %s is 400 INVALID_REQUEST", async (_name, body) => {
    const res = await video(body);
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe("INVALID_REQUEST");
  });

  it("an unknown character is 404", async () => {
    expect((await voice({ text: "hi", character_id: "nobody" })).status).toBe(404);
    expect((await video({ text: "hi", character_id: "nobody" })).status).toBe(404);
  });

  it("a character without the capability is 400 and makes no job", async () => {
    await api("POST", "/api/v1/characters", { body: { id: "text-only", name: "Text", capabilities: ["text"] } });
    const v = await voice({ text: "hi", character_id: "text-only" });
    expect(v.status).toBe(400);
    expect(v.json.error.message).toMatch(/no voice capability/);
    const clip = await video({ text: "hi", character_id: "creative" });
    expect(clip.status).toBe(400);
    expect(clip.json.error.message).toMatch(/no video capability/);
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM media_requests WHERE character_id IN ('text-only', 'creative')").all<{ n: number }>();
    expect(results[0]!.n).toBe(0);
  });

  it("status: unknown request 404 whatever its shape, another key's request 403", async () => {
    expect((await status("media_doesnotexist123")).status).toBe(404);
    expect((await status("nope")).status).toBe(404);
    const { key: mine } = await createKey("mine");
    const { key: theirs } = await createKey("theirs");
    const res = await api("POST", "/api/v1/media/voice", { key: mine, body: { text: "private" } });
    const other = await status(res.json.request_id, theirs);
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe("FORBIDDEN");
    expect((await api("DELETE", `/api/v1/media/status/${res.json.request_id}`, { key: theirs })).status).toBe(403);
  });
});

describe("provider faults", () => {
  it("a failing provider is retried with backoff and ends failed with SERVICE_UNAVAILABLE", async () => {
    const res = await voice({ text: "[[submit-fail]] hello" });
    expect(res.status).toBe(202);
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(done.error.message).toMatch(/HTTP 503/);
    const row = await getJob(getDb(env.DB), res.json.request_id);
    expect(row!.submitAttempts).toBe(3);
  });

  it("with Prefer: wait, a failed job answers 503 SERVICE_UNAVAILABLE naming the request", async () => {
    const res = await voice({ text: "[[submit-fail]] wait for me" }, { Prefer: "wait=10" });
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(res.json.error.details.request_id).toMatch(/^media_/);
  });

  it("a provider that fails once is retried and the job completes", async () => {
    await drainWebhooks();
    const res = await voice({ text: "[[flaky]] second time lucky" });
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status).toBe("completed");
    expect((await getJob(getDb(env.DB), res.json.request_id))!.submitAttempts).toBe(2);
  });

  it("a slow provider times out on every attempt and the job fails, never hangs", async () => {
    const res = await voice({ text: "[[slow-submit]] are you there" });
    const done = (await waitForStatus(res.json.request_id, terminal, 20_000)).at(-1);
    expect(done.status).toBe("failed");
    expect(done.error.message).toMatch(/timed out/);
  }, 30_000);

  it("a model that fails ends the job failed with a generic message (its reason is logged)", async () => {
    await drainWebhooks();
    const res = await voice({ text: "[[fail]] this breaks" });
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done).toMatchObject({ status: "failed", error: { code: "SERVICE_UNAVAILABLE", message: MODEL_FAILED } });
    expect(done.result).toBeUndefined();
  });

  it("an output URL that 404s fails the job and stores nothing", async () => {
    await drainWebhooks();
    const res = await voice({ text: "[[gone]] vanishing output" });
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status).toBe("failed");
    expect(done.error.message).toBe(OUTPUT_UNUSABLE);
    const row = await getJob(getDb(env.DB), res.json.request_id);
    expect(await env.MEDIA.head(`audio/${row!.assetName}.wav`)).toBeNull();
  });

  it("a failed speech fails the talking head that waits on it", async () => {
    await drainWebhooks();
    const res = await video({ text: "[[fail]] say this", video_settings: { mode: "talking_head" } });
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status).toBe("failed");
    expect(done.error.message).toMatch(/speech this video needs failed/);
  });
});

describe("the cron", () => {
  it("finishes a job whose webhook never comes by asking the provider", async () => {
    const res = await voice({ text: "[[no-webhook]] silent but done" });
    const id = res.json.request_id;
    const db = getDb(env.DB);
    await new Promise((r) => setTimeout(r, 1000));
    await pumpWebhooks();
    expect((await status(id)).json.status).not.toBe("completed");
    // Nothing is stale yet: the cron leaves fresh jobs alone.
    expect((await reconcileMediaJobs(env)).checked).toBe(0);
    // A cron run "two minutes later", repeated until the emulator has finished (no webhook will say so).
    let done: any;
    for (const deadline = Date.now() + 20_000; ; ) {
      const report = await reconcileMediaJobs(env, Date.now() + 2 * 60_000);
      expect(report.refreshed).toBeGreaterThanOrEqual(1);
      done = (await status(id)).json;
      if (done.status === "completed" || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(done.status).toBe("completed");
    expect(done.result.duration_seconds).toBeGreaterThan(1);
    const sources = (await transitionsOf(db, id)).map((t) => `${t.toStatus}:${t.source}`);
    expect(sources).toContain("completed:reconcile");
  });

  it("finishes a job left half-copied (its Worker died in finalizing)", async () => {
    const res = await voice({ text: "[[no-webhook]] interrupted copy" });
    const id = res.json.request_id;
    let row: Awaited<ReturnType<typeof getJob>>;
    for (const deadline = Date.now() + 15_000; ; ) {
      row = await getJob(getDb(env.DB), id);
      if (row?.predictionId) break;
      if (Date.now() > deadline) throw new Error("never submitted");
      await new Promise((r) => setTimeout(r, 50));
    }
    // As if a webhook had claimed the copy and its Worker had died before writing R2.
    await env.DB.prepare("UPDATE media_requests SET status = 'finalizing', progress = 99 WHERE id = ?").bind(id).run();
    let done: any;
    for (const deadline = Date.now() + 20_000; ; ) {
      await reconcileMediaJobs(env, Date.now() + 2 * 60_000);
      done = (await status(id)).json;
      if (done.status === "completed" || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(done.status).toBe("completed");
    expect(done.result.file_size_bytes).toBeGreaterThan(44);
  });

  it("fails a job past its deadline with a clear error, through the scheduled handler", async () => {
    await drainWebhooks();
    const res = await voice({ text: "[[hang]] forever and ever" });
    const id = res.json.request_id;
    await waitForStatus(id, (s) => s.status === "processing");
    const worker = (await import("../../workers/index")).default;
    const { createScheduledController, createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
    // The deadline is 5 minutes for speech: run the cron as if it were 6 minutes later.
    const realNow = Date.now;
    Date.now = () => realNow() + 6 * 60_000;
    try {
      const ctx = createExecutionContext();
      worker.scheduled!(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
    } finally {
      Date.now = realNow;
    }
    const done = (await status(id)).json;
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(done.error.message).toMatch(/No result from the GPU provider within 5 minutes/);
  });
});

describe("cancel", () => {
  it("DELETE /media/status/{id} cancels a running job; later webhooks do not revive it", async () => {
    await drainWebhooks();
    const res = await voice({ text: "cancel me please, I am long enough to take a while" });
    const id = res.json.request_id;
    await waitForStatus(id, (s) => s.status === "processing");
    const canceled = await api("DELETE", `/api/v1/media/status/${id}`);
    expect(canceled.status).toBe(200);
    expect(canceled.json.status).toBe("canceled");
    await new Promise((r) => setTimeout(r, 600));
    await pumpWebhooks();
    expect((await status(id)).json.status).toBe("canceled");
  });

  it("canceling a finished job changes nothing", async () => {
    await drainWebhooks();
    const res = await voice({ text: "done already" });
    await waitForStatus(res.json.request_id, terminal);
    const again = await api("DELETE", `/api/v1/media/status/${res.json.request_id}`);
    expect(again.status).toBe(200);
    expect(again.json.status).toBe("completed");
  });
});
