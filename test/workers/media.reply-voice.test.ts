/**
 * A reply voiced while its text streams (CHARACTER-ENGINE.md §4): one speech job per chunk, started
 * as the chunk completes; `audio_chunk` frames in seq order over WebSocket and SSE; the whole reply
 * joined into one file; a failed chunk named in its frame; `cancel` and a new turn stopping the voice at
 * the provider. The test delivers the GPU emulator's webhooks itself, so it decides which chunk's speech
 * ends first.
 */
import { describe, expect, it, vi } from "vitest";
import { parseWav } from "../../gpu-jobs/wav-join";
import { ADMIN_KEY, api } from "../support/api";
import { env } from "../support/env";
import { TEST_REPLICATE_TOKEN } from "../support/gpu-constants";
import { asset, deliver, drainWebhooks, pumpWebhooks, status, takeWebhooks, terminal, waitForStatus, whilePumping } from "../support/media";
import { connect, ofType, type TestSocket } from "../support/ws";

vi.setConfig({ testTimeout: 30_000 });

// Voice only (no video): "creative" speaks with Kokoro.
const CHARACTER = "creative";
const LONG =
  "The river was cold that morning, and the light came slowly over the hills. We walked along the water for an hour. Then the rain came, and we ran home.";

interface ChunkRow {
  id: string;
  seq: number;
  text: string;
  status: string;
  prediction_id: string | null;
}

async function chunksOf(messageId: string): Promise<ChunkRow[]> {
  const { results } = await env.DB.prepare(
    `SELECT id, json_extract(settings, '$.seq') AS seq, text, status, prediction_id FROM media_requests
      WHERE message_id = ? AND json_extract(settings, '$.source') = 'reply_chunk' ORDER BY seq`,
  )
    .bind(messageId)
    .all<ChunkRow>();
  return results;
}

async function socketOn(sessionId: string): Promise<TestSocket> {
  const socket = await connect(`?session_id=${sessionId}`);
  socket.send({ type: "auth", token: ADMIN_KEY, session_id: sessionId });
  await socket.next(ofType("authenticated"));
  return socket;
}

const releaseLlm = () => fetch(env.LLM_BASE_URL!.replace(/\/v1$/, "/__emulator/release?tag=reply-voice"), { method: "POST" });
const prediction = async (id: string) =>
  (await fetch(`${env.GPU_ENDPOINT_URL}/v1/predictions/${id}`, { headers: { Authorization: `Bearer ${TEST_REPLICATE_TOKEN}` } })).json() as Promise<{
    status: string;
  }>;
const audioFrames = (socket: TestSocket) => socket.frames.filter((frame) => frame.type === "audio_chunk");

/** Polls until `check` answers something truthy, delivering webhooks on the way when `pump`. */
async function until<T>(check: () => Promise<T | undefined | false>, what: string, pump = true, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pump) await pumpWebhooks();
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

describe("a reply's voice, chunk by chunk", () => {
  it("voices each chunk as it completes, sends the chunks in seq order however they finish, and joins them into one file", async () => {
    await drainWebhooks();
    const socket = await socketOn("voice-order");
    socket.send({ type: "message", content: LONG, character_id: CHARACTER });
    const reply = await socket.next(ofType("response"), 10_000);
    const chunks = await chunksOf(reply.message_id);
    expect(chunks.length, JSON.stringify(chunks)).toBeGreaterThanOrEqual(2);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    // The chunks are the reply's words, in order, and the first is short (40 to 80 characters).
    expect(chunks.map((c) => c.text).join(" ")).toBe(reply.content.replace(/\s+/g, " ").trim());
    expect(chunks[0]!.text.length).toBeGreaterThanOrEqual(40);
    expect(chunks[0]!.text.length).toBeLessThanOrEqual(80);
    expect(reply.media).toMatchObject({ status: "pending", audio_request_id: expect.any(String) });

    // Chunk 1's speech ends first: its frame waits for chunk 0's.
    const held: Awaited<ReturnType<typeof takeWebhooks>> = [];
    const jobOf = (hook: { url: string }) => new URL(hook.url).pathname.split("/").at(-1);
    await until(
      async () => {
        for (const hook of await takeWebhooks()) {
          if (jobOf(hook) === chunks[0]!.id) held.push(hook);
          else if (chunks.some((c) => c.id === jobOf(hook))) expect((await deliver(hook)).status).toBe(200);
        }
        return (await chunksOf(reply.message_id))[1]!.status === "completed";
      },
      "chunk 1's speech",
      false,
    );
    expect(audioFrames(socket), "chunk 1 waits for chunk 0").toEqual([]);
    for (const hook of held) expect((await deliver(hook)).status).toBe(200);
    await until(async () => (await status(reply.media.audio_request_id)).json.status === "completed", "the whole reply's audio");
    const media = await socket.next((frame) => frame.type === "media" && frame.media.audio_status === "ready");

    const frames = audioFrames(socket);
    expect(frames.map((frame) => frame.seq)).toEqual(chunks.map((c) => c.seq));
    // A chunk asks its provider for one webhook, the `completed` one: nobody watches a second of speech progress.
    const outbox = (await (await fetch(`${env.GPU_ENDPOINT_URL}/__emulator/webhooks?after=0`)).json()) as { webhooks: { url: string; body: string }[] };
    for (const chunk of chunks) {
      const hooks = outbox.webhooks.filter((hook) => hook.url.endsWith(`/${chunk.id}`));
      expect(hooks.map((hook) => JSON.parse(hook.body).status)).toEqual(["succeeded"]);
    }
    const pcm: Uint8Array[] = [];
    for (const [i, frame] of frames.entries()) {
      expect(frame).toMatchObject({ message_id: reply.message_id, character_id: CHARACTER, text: chunks[i]!.text });
      expect(frame.error).toBeUndefined();
      const file = await asset(frame.audio_url);
      expect(file.status).toBe(200);
      const wav = parseWav(file.bytes);
      pcm.push(wav.data);
      expect(frame.duration_seconds).toBeCloseTo(wav.data.length / (wav.format.sampleRate * 2), 3);
    }
    // The whole reply is the chunks' samples, one after the other.
    const whole = parseWav((await asset(media.media.audio_url)).bytes);
    expect(whole.data).toEqual(concat(pcm));
    expect(media.media.audio_duration_seconds).toBeCloseTo(
      frames.reduce((sum, frame) => sum + frame.duration_seconds, 0),
      2,
    );
    socket.ws.close();

    // A client that reconnects and resumes the reply hears its voice again, in order, before `authenticated`.
    const back = await connect("?session_id=voice-order");
    back.send({ type: "auth", token: ADMIN_KEY, session_id: "voice-order", resume: [{ message_id: reply.message_id, last_seq: 10_000 }] });
    await back.next(ofType("authenticated"));
    const caughtUp = back.frames.slice(0, back.frames.findIndex(ofType("authenticated")));
    expect(caughtUp.map((frame) => frame.type)).toEqual(["response", ...frames.map(() => "audio_chunk")]);
    expect(caughtUp.slice(1)).toEqual(frames);
    back.ws.close();
  });

  it("a chunk whose speech fails: its frame says so, the others come, and the whole audio is made from what exists", async () => {
    await drainWebhooks();
    const socket = await socketOn("voice-failed-chunk");
    // The GPU emulator refuses every create of a speech whose text holds [[submit-fail]]: only that chunk's.
    const text =
      "The first part of this reply is fine and long enough to stand alone. The second part breaks [[submit-fail]] here. The third part is fine again.";
    socket.send({ type: "message", content: text, character_id: CHARACTER });
    const reply = await socket.next(ofType("response"), 10_000);
    await until(async () => terminal((await status(reply.media.audio_request_id)).json), "the whole reply's audio");
    const chunks = await chunksOf(reply.message_id);
    const broken = chunks.filter((c) => c.text.includes("[[submit-fail]]"));
    expect(broken).toHaveLength(1);
    expect(chunks.length).toBeGreaterThan(1);

    const media = await socket.next((frame) => frame.type === "media" && frame.media.audio_status === "ready");
    const frames = audioFrames(socket);
    expect(frames.map((frame) => frame.seq)).toEqual(chunks.map((c) => c.seq));
    const failed = frames.find((frame) => frame.seq === broken[0]!.seq);
    expect(failed).toMatchObject({ audio_url: null, duration_seconds: null, error: expect.stringContaining("did not accept") });
    const voiced = frames.filter((frame) => frame.audio_url);
    expect(voiced).toHaveLength(chunks.length - 1);
    expect(media.media.audio_duration_seconds).toBeCloseTo(
      voiced.reduce((sum, frame) => sum + frame.duration_seconds, 0),
      2,
    );
    socket.ws.close();
  });

  it("the first speech job starts while the text still streams, and `cancel` stops the chunks not yet voiced, at the provider too", async () => {
    await drainWebhooks();
    const socket = await socketOn("voice-cancel");
    // [[hold:reply-voice]]: the LLM stops before its last token until released, so the reply is surely still streaming.
    // Long enough that a second chunk is cut before it; [[gpu-hang]]: that chunk's speech never finishes.
    const content = `${LONG} By evening the river had risen over the path [[gpu-hang]], and the lamps of the town came on one by one. We watched them from the window and said nothing at all, which was the best part of the day. [[hold:reply-voice]]`;
    socket.send({ type: "message", content, character_id: CHARACTER });
    const started = await until(
      async () => {
        const replyId = socket.frames.find((frame) => frame.type === "user_message")?.reply_id;
        const chunks = replyId ? await chunksOf(replyId) : [];
        return chunks.length >= 2 && chunks.every((c) => c.prediction_id) ? { replyId: replyId as string, chunks } : undefined;
      },
      "two speech jobs while the reply streams",
      false,
    );
    const [first, ...rest] = started.chunks;
    expect(rest.some((c) => c.text.includes("[[gpu-hang]]"))).toBe(true);
    // Chunk 0's speech ends and is heard before the text ends; the others' webhooks are held back.
    const held: Awaited<ReturnType<typeof takeWebhooks>> = [];
    await until(
      async () => {
        for (const hook of await takeWebhooks()) {
          if (hook.url.endsWith(`/${first!.id}`)) expect((await deliver(hook)).status).toBe(200);
          else held.push(hook);
        }
        return audioFrames(socket).length > 0;
      },
      "chunk 0's frame",
      false,
    );
    expect(
      socket.frames.some((frame) => frame.type === "response"),
      "the text has not ended",
    ).toBe(false);

    socket.send({ type: "cancel" });
    const reply = await socket.next(ofType("response"), 10_000);
    await releaseLlm();
    expect(reply.cancelled).toBe(true);
    expect(reply.media).toBeNull();
    const after = await until(
      async () => {
        const chunks = await chunksOf(started.replyId);
        return chunks.slice(1).every((c) => c.status === "canceled") && chunks;
      },
      "the other chunks canceled",
      false,
    );
    expect(after[0]!.status).toBe("completed");
    for (const chunk of rest.filter((c) => c.text.includes("[[gpu-hang]]"))) expect((await prediction(chunk.prediction_id!)).status).toBe("canceled");
    // Nothing more is heard of the canceled chunks, whatever the provider still sends.
    for (const hook of held) await deliver(hook);
    await pumpWebhooks();
    expect(audioFrames(socket).map((frame) => frame.seq)).toEqual([0]);
    socket.ws.close();
  });

  it("a new message while the character speaks stops its voice: the chunks not yet voiced are canceled, and so its whole audio", async () => {
    await drainWebhooks();
    const socket = await socketOn("voice-interrupt");
    socket.send({ type: "message", content: LONG, character_id: CHARACTER });
    const first = await socket.next(ofType("response"), 10_000);
    // No webhook delivered yet: none of its chunks has been voiced.
    socket.send({ type: "message", content: "Wait, one more thing.", character_id: CHARACTER, media: false });
    await socket.next((frame) => frame.type === "response" && frame.message_id !== first.message_id, 10_000);
    const audio = await waitForStatus(first.media.audio_request_id, terminal);
    expect(audio.at(-1)).toMatchObject({ status: "canceled", error: { message: "The reply's voice was interrupted" } });
    const chunks = await chunksOf(first.message_id);
    expect(chunks.every((c) => c.status === "canceled")).toBe(true);
    const stopped = await socket.next((frame) => frame.type === "media" && frame.message_id === first.message_id);
    expect(stopped.media).toMatchObject({ audio_status: "canceled", status: "failed" });
    expect(audioFrames(socket)).toEqual([]);
    socket.ws.close();
  });

  it("`cancel` after the text has ended still stops the voice: its chunks not yet voiced are canceled", async () => {
    await drainWebhooks();
    const socket = await socketOn("voice-cancel-after");
    socket.send({ type: "message", content: LONG, character_id: CHARACTER });
    const reply = await socket.next(ofType("response"), 10_000);
    // No webhook delivered yet: the character has said nothing so far.
    socket.send({ type: "cancel" });
    const audio = await waitForStatus(reply.media.audio_request_id, terminal);
    expect(audio.at(-1)).toMatchObject({ status: "canceled", error: { message: "The reply's voice was interrupted" } });
    expect((await chunksOf(reply.message_id)).every((c) => c.status === "canceled")).toBe(true);
    expect(socket.frames.filter(ofType("error"))).toEqual([]);
    // Nothing left to cancel: now it is refused.
    socket.send({ type: "cancel" });
    expect((await socket.next(ofType("error"))).code).toBe("NOT_FOUND");
    socket.ws.close();
  });

  it("`next` (an app's auto mode) lets the last reply's voice finish", async () => {
    await drainWebhooks();
    const socket = await socketOn("voice-next");
    socket.send({ type: "message", content: LONG, character_id: CHARACTER });
    const reply = await socket.next(ofType("response"), 10_000);
    // No webhook delivered yet: the character is still speaking when the next one speaks.
    const next = await api("POST", "/api/v1/chat/sessions/voice-next/next", { body: { media: false } });
    expect(next.status, next.text).toBe(200);
    expect((await waitForStatus(reply.media.audio_request_id, terminal)).at(-1).status).toBe("completed");
    socket.ws.close();
  });

  it("over SSE: audio_chunk events follow the text, and the stream ends with the whole reply's audio", async () => {
    await drainWebhooks();
    // The stream stays open after `response` until the audio ends: the webhooks are delivered meanwhile.
    const res = await whilePumping(
      api("POST", "/api/v1/chat/message", { body: { message: LONG, character_id: CHARACTER, session_id: "voice-sse", stream: true } }),
    );
    expect(res.status).toBe(200);
    const text = res.text;
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ type: m[1]!, data: JSON.parse(m[2]!) }));
    const types = events.map((event) => event.type);
    const response = events.find((event) => event.type === "response")!.data;
    const chunks = await chunksOf(response.message_id);
    const frames = events.filter((event) => event.type === "audio_chunk").map((event) => event.data);
    expect(frames.map((frame) => frame.seq)).toEqual(chunks.map((c) => c.seq));
    expect(frames.every((frame) => frame.audio_url)).toBe(true);
    expect(types.at(-1)).toBe("media");
    expect(events.at(-1)!.data.media).toMatchObject({ audio_status: "ready", audio_url: response.media.audio_url });
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
