/**
 * Voice while the text streams, against `npm start` (the LLM and GPU emulators, webhooks over real
 * HTTP): the first speech job starts before the LLM's stream ends, `audio_chunk` frames arrive in
 * order, the whole reply's audio drives the talking head, and `cancel` stops the rest at the provider.
 * [[hold:e2e-voice]] stops the LLM before its last token until the test releases it, so "still streaming" is a
 * fact, not a race.
 */
import { describe, expect, inject, it } from "vitest";
import { probeMp4, probeWav } from "../../gpu-jobs/media-files";
import { openSocket } from "./socket";

const baseUrl = inject("stackUrl");
const adminKey = inject("stackAdminKey");
const output = inject("stackOutput");
const llmUrl = output.match(/LLM EMULATOR at (http:\/\/\S+?)\/v1\b/)?.[1];
const gpuUrl = output.match(/GPU EMULATOR at (http:\/\/\S+)/)?.[1];
const wsUrl = `${baseUrl.replace(/^http/, "ws")}/api/v1/ws/chat`;

const STORY =
  "The river was cold that morning, and the light came slowly over the hills. We walked along the water for an hour. " +
  "By evening the river had risen over the path, and the lamps of the town came on one by one. " +
  "We watched them from the window and said nothing at all, which was the best part of the day.";

function open(sessionId: string) {
  const client = openSocket(`${wsUrl}?session_id=${sessionId}`, 30_000);
  void client.opened.then(() => client.send({ type: "auth", token: adminKey, session_id: sessionId }));
  return client;
}

const audioChunks = (frames: any[], messageId?: string) => frames.filter((f) => f.type === "audio_chunk" && (!messageId || f.message_id === messageId));
const release = () => fetch(`${llmUrl}/__emulator/release?tag=e2e-voice`, { method: "POST" });
const streamOf = async (marker: string) =>
  ((await (await fetch(`${llmUrl}/__emulator/streams`)).json()) as { lastUserMessage: string; tokensSent: number; tokensTotal: number }[]).findLast((s) =>
    s.lastUserMessage.includes(marker),
  );
const predictions = async () => ((await (await fetch(`${gpuUrl}/__emulator/predictions`)).json()) as { predictions: any[] }).predictions;

async function poll<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("voice while the text streams, against npm start", () => {
  it("speaks before the text ends, in order, and the whole reply's audio drives the talking head", async () => {
    expect(llmUrl && gpuUrl, "npm start names its emulators").toBeTruthy();
    const client = open("e2e-voice");
    await client.until((f) => f.type === "authenticated");
    client.send({ type: "message", character_id: "assistant", content: `${STORY} [[hold:e2e-voice]] e2e-voice` });

    const first = await client.until((f) => f.type === "audio_chunk");
    expect(first.seq).toBe(0);
    expect(
      client.frames.some((f) => f.type === "response"),
      "the text has not ended",
    ).toBe(false);
    const stream = await streamOf("e2e-voice");
    expect(stream!.tokensSent).toBeLessThan(stream!.tokensTotal);
    await release();

    const reply = await client.until((f) => f.type === "response");
    const done = await client.until((f) => f.type === "media" && f.message_id === reply.message_id && f.media.audio_status === "ready");
    const chunks = audioChunks(client.frames, reply.message_id);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    let total = 0;
    for (const chunk of chunks) {
      const res = await fetch(`${baseUrl}${chunk.audio_url}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("audio/wav");
      const facts = await probeWav(new Uint8Array(await res.arrayBuffer()));
      expect(facts.durationSeconds).toBe(chunk.duration_seconds);
      total += chunk.duration_seconds;
    }
    expect(done.media.audio_url).toBe(reply.media.audio_url);
    expect(done.media.audio_duration_seconds).toBeCloseTo(total, 2);

    // The talking head is made from the whole reply's audio: as long as it, to a frame at 10 fps.
    const video = await client.until((f) => f.type === "media" && f.message_id === reply.message_id && f.media.video_status === "ready", 60_000);
    const mp4 = probeMp4(new Uint8Array(await (await fetch(`${baseUrl}${video.media.video_url}`)).arrayBuffer()));
    expect(Math.abs(mp4.durationSeconds - done.media.audio_duration_seconds)).toBeLessThanOrEqual(0.1);
    client.ws.close();
  });

  it("`cancel` stops the voice: the chunks not yet voiced are canceled at the provider, and no more of it is heard", async () => {
    const client = open("e2e-voice-cancel");
    await client.until((f) => f.type === "authenticated");
    // [[gpu-hang]]: the speech of the chunk that holds it never finishes on its own.
    const content = STORY.replace("over the path,", "over the path [[gpu-hang]],");
    client.send({ type: "message", character_id: "creative", content: `${content} [[hold:e2e-voice]] e2e-voice-cancel` });
    const first = await client.until((f) => f.type === "audio_chunk");
    const hanging = await poll(
      async () => (await predictions()).find((p) => JSON.stringify(p.input).includes("[[gpu-hang]]") && JSON.stringify(p.input).includes("path")),
      "the hanging chunk's speech job",
    );
    expect(hanging.status).not.toBe("canceled");

    client.send({ type: "cancel" });
    const reply = await client.until((f) => f.type === "response");
    await release();
    expect(reply).toMatchObject({ cancelled: true, media: null, message_id: first.message_id });
    await poll(async () => (await predictions()).find((p) => p.id === hanging.id)?.status === "canceled", "the provider's cancel");

    // A later turn is the sync point: whatever the canceled voice still had to say would have come by now.
    client.send({ type: "message", character_id: "creative", content: "Never mind.", media: false });
    await client.until((f) => f.type === "response" && f.message_id !== reply.message_id);
    expect(audioChunks(client.frames).map((c) => c.seq)).toEqual([0]);
    client.ws.close();
  });
});
