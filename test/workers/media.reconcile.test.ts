/** The cron survives a bad row: each row's error is logged and counted, and the others still move. */
import { describe, expect, it, vi } from "vitest";
import { api } from "../support/api";
import { env } from "../support/env";
import { status } from "../support/media";
import { getDb } from "../../workers/db/client";
import { reconcileMediaJobs } from "../../workers/media/reconcile";
import { getJob } from "../../workers/media/store";
import { JOINED_SPEECH } from "../../workers/media/create";
import { parseWav, wavHeader } from "../../gpu-jobs/wav-join";

vi.setConfig({ testTimeout: 30_000 });

describe("the reconciler, row by row", () => {
  it("an error on one job is logged and the run goes on to the next", async () => {
    // A finished speech and a talking head waiting on it whose settings cannot be read: starting it
    // throws a plain TypeError, not a ProviderError. It is the oldest row, so it comes first.
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const deadline = new Date(Date.now() + 60 * 60_000).toISOString();
    const insert = env.DB.prepare(
      `INSERT INTO media_requests (id, key_id, media_type, kind, character_id, text, settings, provider, model, input, status, progress, depends_on, asset_name, created_at, last_event_at, deadline_at, completed_at)
       VALUES (?, 'key_admin', ?, ?, 'assistant', 'x', ?, 'replicate', 'm', NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    await env.DB.batch([
      insert.bind("media_badrowspeech0000000001", "voice", "voice", "{}", "completed", 100, null, "voice_badrowspeech", old, old, deadline, old),
      insert.bind(
        "media_badrowvideo00000000001",
        "video",
        "talking_head",
        "null",
        "queued",
        0,
        "media_badrowspeech0000000001",
        "video_badrowvideo",
        old,
        old,
        deadline,
        null,
      ),
    ]);
    // A healthy job whose webhook never comes: the run must still reach it.
    const res = await api("POST", "/api/v1/media/voice", { body: { text: "[[no-webhook]] after the bad row" } });
    const id = res.json.request_id as string;
    // Submitted first (a fresh submission is not the cron's to redo).
    for (const until = Date.now() + 15_000; !(await getJob(getDb(env.DB), id))?.predictionId; ) {
      if (Date.now() > until) throw new Error("never submitted");
      await new Promise((r) => setTimeout(r, 50));
    }
    const errors = vi.spyOn(console, "error");
    let report: Awaited<ReturnType<typeof reconcileMediaJobs>> | undefined;
    for (const until = Date.now() + 20_000; ; ) {
      report = await reconcileMediaJobs(env, Date.now() + 2 * 60_000);
      expect(report.errors).toBeGreaterThanOrEqual(1);
      if ((await status(id)).json.status === "completed" || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await status(id)).json.status).toBe("completed");
    const logged = errors.mock.calls.map((call) => String(call[0])).find((line) => line.includes("media_badrowvideo00000000001"));
    expect(logged, "the failing row is logged").toBeDefined();
    expect(JSON.parse(logged!)).toMatchObject({ level: "error", event: "reconcile_row_failed", request_id: "media_badrowvideo00000000001" });
    errors.mockRestore();
  });
});

describe("the reconciler and a reply's whole audio", () => {
  it("joins a reply's audio whose joiner went silent mid-join, from the chunks' files in seq order", async () => {
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const deadline = new Date(Date.now() + 60 * 60_000).toISOString();
    const format = { encoding: "pcm", channels: 1, sampleRate: 8000, bitsPerSample: 16 } as const;
    const samples = [new Uint8Array(1600).fill(1), new Uint8Array(800).fill(2)];
    const joinId = "media_joinstuck0000000000001";
    const chunkIds = ["media_joinchunk0000000000001", "media_joinchunk0000000000000"];
    const insert = env.DB.prepare(
      `INSERT INTO media_requests (id, key_id, media_type, kind, character_id, text, settings, provider, model, input, status, progress, asset_name, created_at, last_event_at, deadline_at, completed_at)
       VALUES (?, 'key_admin', 'voice', 'voice', 'creative', 'x', ?, 'replicate', ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Listed out of seq order: the join follows seq, not the list.
    await env.DB.batch([
      insert.bind(
        chunkIds[0],
        JSON.stringify({ source: "reply_chunk", seq: 1, reply_audio: joinId }),
        "jaaari/kokoro-82m",
        "completed",
        100,
        "reply_joinchunk1",
        old,
        old,
        deadline,
        old,
      ),
      insert.bind(
        chunkIds[1],
        JSON.stringify({ source: "reply_chunk", seq: 0, reply_audio: joinId }),
        "jaaari/kokoro-82m",
        "completed",
        100,
        "reply_joinchunk0",
        old,
        old,
        deadline,
        old,
      ),
      insert.bind(joinId, JSON.stringify({ source: "reply", chunks: chunkIds }), JOINED_SPEECH, "finalizing", 50, "reply_joinstuck", old, old, deadline, null),
    ]);
    const wavOf = (data: Uint8Array) => new Uint8Array([...wavHeader(format, data.length), ...data]);
    await env.MEDIA.put("audio/reply_joinchunk0.wav", wavOf(samples[0]!));
    await env.MEDIA.put("audio/reply_joinchunk1.wav", wavOf(samples[1]!));

    await reconcileMediaJobs(env);
    const joined = await getJob(getDb(env.DB), joinId);
    expect(joined).toMatchObject({ status: "completed", progress: 100, durationSeconds: 0.15, format: "wav" });
    const file = parseWav(new Uint8Array(await (await env.MEDIA.get("audio/reply_joinstuck.wav"))!.arrayBuffer()));
    expect(file.data).toEqual(new Uint8Array([...samples[0]!, ...samples[1]!]));
  });
});
