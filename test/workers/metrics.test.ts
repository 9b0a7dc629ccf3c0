import { terminal, waitForStatus } from "../support/media";
import { describe, expect, it } from "vitest";
import { api, createKey, send } from "../support/api";
import { callWith } from "../support/app";
import { env } from "../support/env";
import { statsWritten } from "../support/stats";

const brokenDatabase = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error("D1 is down");
    },
  },
) as D1Database;

const metrics = async () => {
  const res = await api("GET", "/api/v1/metrics");
  expect(res.status).toBe(200);
  return res.json;
};

describe("GET /api/v1/metrics", () => {
  it("is for admin keys only", async () => {
    const { key } = await createKey("app");
    expect((await api("GET", "/api/v1/metrics", { key })).status).toBe(403);
    expect((await api("GET", "/api/v1/metrics", { key: null })).status).toBe(401);
  });

  it("counts a known sequence of calls", async () => {
    const before = await metrics();
    const sessionId = `metrics-${crypto.randomUUID()}`;

    for (let i = 0; i < 3; i++) expect((await api("GET", "/api/v1/characters")).status).toBe(200);
    expect((await api("GET", "/api/v1/characters/nobody")).status).toBe(404);
    expect((await send({ message: "hello", session_id: sessionId })).status).toBe(200);
    const again = await send({ message: "again", session_id: sessionId });
    expect(again.status).toBe(200);
    await statsWritten(sessionId, again.json.timestamp);
    // One server failure: a database that throws answers 500 (the details' statistics are always read).
    const failed = await callWith({ DB: brokenDatabase }, "GET", "/api/v1/characters/assistant");
    expect(failed.status).toBe(500);

    const after = await metrics();
    // The first metrics call itself, 3 lists, 1 not found, 2 turns, 1 failure.
    expect(after.requests_total - before.requests_total).toBe(8);
    expect(after.requests_per_minute).toBeGreaterThanOrEqual(8);
    expect(after.requests_per_minute).toBeLessThanOrEqual(after.requests_total);
    const errorsBefore = ((before.error_rate_percent ?? 0) * before.requests_total) / 100;
    expect(after.error_rate_percent).toBeCloseTo(((errorsBefore + 1) / after.requests_total) * 100, 2);
    expect(after.average_response_time_ms).toBeGreaterThan(0);

    expect(after.active_sessions - before.active_sessions).toBe(1);
    expect(after.characters.assistant.conversations_today - before.characters.assistant.conversations_today).toBe(1);
    // Every character is listed, the quiet ones with zero.
    const characters = (await api("GET", "/api/v1/characters")).json.characters.map((c: { id: string }) => c.id);
    expect(Object.keys(after.characters).sort()).toEqual([...characters].sort());
  });

  it("counts today's media requests and averages their real generation time", async () => {
    const before = (await metrics()).media_generation;
    expect(before.average_generation_time_seconds).toBeNull();
    const jobs = [
      await api("POST", "/api/v1/media/voice", { body: { text: "Count me.", character_id: "assistant" } }),
      await api("POST", "/api/v1/media/voice", { body: { text: "And me.", character_id: "assistant" } }),
      await api("POST", "/api/v1/media/video", { body: { text: "A serene landscape with mountains", character_id: "assistant" } }),
    ];
    const finished = [];
    for (const job of jobs) finished.push((await waitForStatus(job.json.request_id, terminal, 30_000)).at(-1));
    expect(finished.map((j) => j.status)).toEqual(["completed", "completed", "completed"]);
    const after = (await metrics()).media_generation;
    expect(after.voice_requests_today).toBe(before.voice_requests_today + 2);
    expect(after.video_requests_today).toBe(before.video_requests_today + 1);
    // Measured from the jobs' recorded transitions (creation to the move into "completed"), averaged;
    // the transition is written a moment after completed_at, so allow a little slack.
    const mean = finished.reduce((sum, j) => sum + (Date.parse(j.completed_at) - Date.parse(j.created_at)) / 1000, 0) / finished.length;
    expect(after.average_generation_time_seconds).toBeGreaterThan(0);
    expect(Math.abs(after.average_generation_time_seconds - mean)).toBeLessThan(0.5);
  });

  it("counts a voiced reply as one voice request, however many chunks it was voiced in", async () => {
    const before = (await metrics()).media_generation;
    const long =
      "The first sentence of this message is long enough to be its own chunk. Then another one follows, and one more after it, so the reply is voiced in pieces.";
    const res = await api("POST", "/api/v1/chat/message", { body: { message: long, character_id: "creative", session_id: "metrics-voiced" } });
    const done = (await waitForStatus(res.json.media.audio_request_id, terminal, 30_000)).at(-1);
    expect(done.status).toBe("completed");
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM media_requests WHERE message_id = ?").bind(res.json.message_id).all<{ n: number }>();
    expect(results[0]!.n, "chunks and the whole audio").toBeGreaterThan(2);
    expect((await metrics()).media_generation.voice_requests_today).toBe(before.voice_requests_today + 1);
  });

  it("serves the same figures in Prometheus text format", async () => {
    const json = await metrics();
    const res = await api("GET", "/api/v1/metrics?format=prometheus");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain("# TYPE chattr_requests_total counter");
    // The JSON call above is counted by the time the text one reads.
    expect(res.text).toMatch(new RegExp(`^chattr_requests_total ${json.requests_total + 1}$`, "m"));
    expect(res.text).toMatch(/^chattr_character_conversations_today\{character="assistant"\} \d+$/m);
    expect(res.text).toMatch(/^chattr_voice_requests_today \d+$/m);
  });

  it("rejects an unknown format", async () => {
    expect((await api("GET", "/api/v1/metrics?format=xml")).status).toBe(400);
  });
});
