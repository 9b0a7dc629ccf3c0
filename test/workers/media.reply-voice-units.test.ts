/**
 * ReplyVoice on its own (no session object): what it stores as the text streams, the bound on a
 * reply's speech, the switch it waits for, and what happens when D1 refuses its rows.
 */
import { describe, expect, it } from "vitest";
import { MAX_MEDIA_TEXT_CHARS } from "../../shared/schemas/media";
import { getCharacterRow } from "../../workers/db/characters";
import { getDb } from "../../workers/db/client";
import { ReplyVoice, type ReplyVoiceRequest } from "../../workers/media/reply-voice";
import { env } from "../support/env";

// Statements build as usual; running them fails, as when D1 is unreachable.
const brokenDatabase = { prepare: (query: string) => env.DB.prepare(query), batch: () => Promise.reject(new Error("D1 is down")) } as unknown as D1Database;

async function request(overrides: Partial<ReplyVoiceRequest> = {}): Promise<ReplyVoiceRequest> {
  const character = (await getCharacterRow(getDb(env.DB), "assistant"))!;
  return {
    caller: { keyId: "key_units", scopes: ["chat"] },
    sessionId: `units-${crypto.randomUUID()}`,
    messageId: `msg_${crypto.randomUUID().slice(0, 8)}`,
    character,
    session: Promise.resolve({ voice: true, video: true }),
    ...overrides,
  };
}

const rowsOf = async (messageId: string) =>
  (
    await env.DB.prepare("SELECT id, kind, model, text, settings, depends_on FROM media_requests WHERE message_id = ? ORDER BY created_at, kind")
      .bind(messageId)
      .all<{ id: string; kind: string; model: string; text: string; settings: string; depends_on: string | null }>()
  ).results;

/** Runs a voice with a waitUntil the test can wait on, and the chunks it reports lost. */
function harness() {
  const waits: Promise<unknown>[] = [];
  const lost: { seq: number; error: string }[] = [];
  return {
    ctx: { waitUntil: (p: Promise<unknown>) => waits.push(p) },
    hooks: { lost: (seq: number, _: string, error: string) => lost.push({ seq, error }) },
    waits,
    lost,
  };
}

describe("ReplyVoice", () => {
  it("stores each chunk as it completes, then the whole audio and the talking head chained to it", async () => {
    const wanted = await request();
    const { ctx, hooks, waits } = harness();
    const voice = ReplyVoice.start(env, ctx, wanted, hooks)!;
    for (const delta of "Hello there! This first sentence is long enough to be a chunk. And a second one follows it.".split(/(?<= )/)) voice.push(delta);
    const finished = (await voice.finish())!;
    await Promise.all(waits);
    expect(await finished.stored).toBe(true);
    const rows = await rowsOf(wanted.messageId);
    const chunks = rows.filter((row) => JSON.parse(row.settings).source === "reply_chunk");
    const [audio] = rows.filter((row) => row.model === "chatacter/joined-chunks");
    const [video] = rows.filter((row) => row.kind === "talking_head");
    expect(chunks.map((row) => JSON.parse(row.settings).seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.every((row) => JSON.parse(row.settings).reply_audio === audio!.id)).toBe(true);
    expect(JSON.parse(audio!.settings)).toEqual({ source: "reply", chunks: chunks.map((row) => row.id) });
    expect(audio!.text).toBe(chunks.map((row) => row.text).join(" "));
    expect(video!.depends_on).toBe(audio!.id);
    expect(finished.media).toMatchObject({ status: "pending", audio_request_id: audio!.id, video_request_id: video!.id });
  });

  it("speaks at most MAX_MEDIA_TEXT_CHARS of a reply", async () => {
    const wanted = await request({ session: Promise.resolve({ voice: true, video: false }) });
    const { ctx, hooks, waits } = harness();
    const voice = ReplyVoice.start(env, ctx, wanted, hooks)!;
    for (let i = 0; i < 200; i++) voice.push(`Sentence number ${i} of a very long reply goes on. `);
    await voice.finish();
    await Promise.all(waits);
    const chunks = (await rowsOf(wanted.messageId)).filter((row) => JSON.parse(row.settings).source === "reply_chunk");
    const spoken = chunks.reduce((sum, row) => sum + row.text.length, 0);
    expect(spoken).toBeLessThanOrEqual(MAX_MEDIA_TEXT_CHARS);
    expect(spoken).toBeGreaterThan(MAX_MEDIA_TEXT_CHARS - 300);
  });

  it("stores nothing when the session's voice is off, or the client's choice turns it off", async () => {
    const off = await request({ session: Promise.resolve({ voice: false, video: true }) });
    const { ctx, hooks, waits } = harness();
    const voice = ReplyVoice.start(env, ctx, off, hooks)!;
    voice.push("Hello there! This first sentence is long enough to be a chunk. And a second.");
    expect(await voice.finish()).toBeNull();
    await Promise.all(waits);
    expect(await rowsOf(off.messageId)).toEqual([]);
    expect(ReplyVoice.start(env, ctx, await request({ options: false }), hooks)).toBeUndefined();
    expect(ReplyVoice.start(env, ctx, await request({ options: { voice: false } }), hooks)).toBeUndefined();
  });

  it("when D1 refuses the rows: every chunk is reported lost (its frame will say so) and the reply's media is not stored", async () => {
    const wanted = await request();
    const { ctx, hooks, waits, lost } = harness();
    const voice = ReplyVoice.start({ ...env, DB: brokenDatabase }, ctx, wanted, hooks)!;
    voice.push("Hello there! This first sentence is long enough to be a chunk. And a second one follows it.");
    const finished = (await voice.finish())!;
    // The reply does not wait for the rows: it learns they were not stored, and its media turns failed.
    expect(await finished.stored).toBe(false);
    await Promise.all(waits);
    expect(lost.map((l) => l.seq)).toEqual([0, 1]);
    expect(lost[0]!.error).toBe("The speech job could not be stored");
  });

  it("a chunk whose row cannot be stored is left out of the whole audio, which the others still make", async () => {
    let batches = 0;
    // The second batch (chunk 1's row) fails; the others go through.
    const flaky = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: (statements: D1PreparedStatement[]) => (++batches === 2 ? Promise.reject(new Error("D1 hiccup")) : env.DB.batch(statements)),
    } as unknown as D1Database;
    const wanted = await request({ session: Promise.resolve({ voice: true, video: false }) });
    const { ctx, hooks, waits, lost } = harness();
    const voice = ReplyVoice.start({ ...env, DB: flaky }, ctx, wanted, hooks)!;
    voice.push("Hello there! This first sentence is long enough to be a chunk. And a second one follows it. ");
    voice.push("Then a third sentence comes along, long enough to be its own chunk of speech, with a few more words in it to pass the mark.");
    const finished = (await voice.finish())!;
    await Promise.all(waits);
    expect(lost.map((l) => l.seq)).toEqual([1]);
    const rows = await rowsOf(wanted.messageId);
    const chunks = rows.filter((row) => JSON.parse(row.settings).source === "reply_chunk");
    const audio = rows.find((row) => row.id === finished.media.audio_request_id)!;
    expect(JSON.parse(audio.settings).chunks).toEqual(chunks.map((row) => row.id));
    expect(chunks.map((row) => JSON.parse(row.settings).seq)).not.toContain(1);
  });
});
