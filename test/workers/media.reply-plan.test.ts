/**
 * A reply's media is decided with no I/O and stored off the reply's path: what it promises, what lands
 * in D1, and what the message says when the jobs cannot be stored.
 */
import { describe, expect, it } from "vitest";
import { getCharacterRow } from "../../workers/db/characters";
import { getDb } from "../../workers/db/client";
import { mergeMessageMedia } from "../../workers/media/message-media";
import { launchReplyMedia, planReplyMedia, unstoredMedia, type ReplyMediaRequest } from "../../workers/media/reply-media";
import { env } from "../support/env";

// Statements build as usual; running them fails, as when D1 is unreachable.
const brokenDatabase = { prepare: (query: string) => env.DB.prepare(query), batch: () => Promise.reject(new Error("D1 is down")) } as unknown as D1Database;

async function request(overrides: Partial<ReplyMediaRequest> = {}): Promise<ReplyMediaRequest> {
  const character = (await getCharacterRow(getDb(env.DB), "assistant"))!;
  return {
    caller: { keyId: "key_plan", scopes: ["chat"] },
    sessionId: `plan-${crypto.randomUUID()}`,
    messageId: `msg_${crypto.randomUUID().slice(0, 8)}`,
    character,
    text: "Hello there.",
    session: { voice: true, video: true },
    ...overrides,
  };
}

const jobsOf = (sessionId: string) => env.DB.prepare("SELECT id, kind, status FROM media_requests WHERE session_id = ?").bind(sessionId).all();

describe("a reply's media", () => {
  it("is decided without storing anything, then stored in one batch and submitted", async () => {
    const wanted = await request();
    const plan = planReplyMedia(env, wanted)!;
    expect(plan.media).toMatchObject({ status: "pending", audio_request_id: expect.any(String), video_request_id: expect.any(String) });
    expect(plan.media.audio_url).toMatch(/^\/assets\/audio\//);
    expect((await jobsOf(wanted.sessionId)).results).toHaveLength(0);

    const waits: Promise<unknown>[] = [];
    let failed = false;
    await launchReplyMedia(env, { waitUntil: (p) => waits.push(p) }, plan, () => (failed = true));
    // Stored by the time launch answers: a status request after the reply finds both jobs.
    const stored = (await jobsOf(wanted.sessionId)).results;
    expect(stored.map((j) => j.id).sort()).toEqual([plan.media.audio_request_id, plan.media.video_request_id].sort());
    expect(failed).toBe(false);
    await Promise.all(waits);
  });

  it("follows the session's switch and the client's choice", async () => {
    expect(planReplyMedia(env, await request({ session: { voice: false, video: true } }))).toBeNull();
    expect(planReplyMedia(env, await request({ options: false }))).toBeNull();
    const voiceOnly = planReplyMedia(env, await request({ session: { voice: true, video: false } }))!;
    expect(voiceOnly.media.video_request_id).toBeUndefined();
    expect(voiceOnly.jobs).toHaveLength(1);
  });

  it("turns failed on the message, and submits nothing, when its jobs cannot be stored", async () => {
    const wanted = await request();
    const plan = planReplyMedia(env, wanted)!;
    const waits: Promise<unknown>[] = [];
    let failure: unknown;
    await launchReplyMedia({ ...env, DB: brokenDatabase }, { waitUntil: (p) => waits.push(p) }, plan, (error) => (failure = error));
    await Promise.all(waits);
    expect(String(failure)).toContain("D1 is down");
    expect((await jobsOf(wanted.sessionId)).results).toHaveLength(0);
    const media = mergeMessageMedia({ ...plan.media }, unstoredMedia(plan));
    expect(media).toMatchObject({ status: "failed", audio_status: "failed", video_status: "failed", audio_error: "The media job could not be stored" });
  });
});
