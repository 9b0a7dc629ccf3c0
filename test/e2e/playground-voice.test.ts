import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { synthesizeSpeech } from "../../gpu-jobs/emulator/wav";
import { ChatacterClient, type AudioChunkFrame, type ChatSocket, type ServerFrame } from "../../shared/client/index.js";
import { launchChromium } from "./chromium";

const baseUrl = inject("stackUrl");
const adminKey = inject("stackAdminKey");
const admin = new ChatacterClient(baseUrl, adminKey);
const llmUrl = inject("stackOutput").match(/LLM EMULATOR at (http:\/\/\S+?)\/v1\b/)?.[1];
/** [[hold:pg-voice]] in a message keeps the LLM emulator's reply before its last token until this is called. */
const releaseLlm = () => fetch(`${llmUrl}/__emulator/release?tag=pg-voice`, { method: "POST" });

// The emulator echoes the message: sentences enough for several speech chunks. "creative" has a voice and no video.
const STORY =
  "The lighthouse keeper climbed the stairs at dusk. The lamp was cold, and the sea was loud below. " +
  "She lit the wick and watched the beam sweep over the rocks. Far out, a small boat turned toward the light. " +
  "By morning the boat was safe in the harbour, and the keeper slept until noon.";

let browser: Browser;
beforeAll(async () => {
  expect(llmUrl, "the stack runs the LLM emulator").toBeDefined();
  browser = await launchChromium();
});
afterAll(async () => {
  await releaseLlm().catch(() => undefined);
  await browser?.close();
});

/** The playground connected to a new session, "creative" selected, with reply media on. */
async function openPlayground(sessionId: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${baseUrl}/`);
  await page.fill("#api-key", adminKey);
  await page.fill("#session", sessionId);
  await page.click("#connect");
  await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toContain("Connected");
  await page.selectOption("#character", "creative");
  expect(await page.isChecked("#media")).toBe(true);
  return page;
}

/** Every frame the session sends, heard by the SDK on a socket of its own: what the page was sent. */
function listen(sessionId: string): { socket: ChatSocket; frames: ServerFrame[] } {
  const socket = admin.connect({ sessionId });
  const frames: ServerFrame[] = [];
  for (const type of ["user_message", "response", "audio_chunk", "media"] as const) socket.on(type, (frame) => frames.push(frame));
  return { socket, frames };
}

const chunksOf = (frames: ServerFrame[], replyId: string) => frames.filter((f): f is AudioChunkFrame => f.type === "audio_chunk" && f.message_id === replyId);
const replyIdOf = async (frames: ServerFrame[], content: string) => {
  await expect.poll(() => frames.some((f) => f.type === "user_message" && f.content === content), { timeout: 15_000 }).toBe(true);
  return (frames.find((f) => f.type === "user_message" && f.content === content) as Extract<ServerFrame, { type: "user_message" }>).reply_id;
};

/** What the playground says of a reply's voice (playground/reply-voice.ts). */
const voiceOf = (reply: Locator) =>
  reply.evaluate((li: HTMLElement) => ({
    state: li.dataset.voiceState,
    chunks: Number(li.dataset.voiceChunks ?? 0),
    seqs: li.dataset.voiceSeqs ? li.dataset.voiceSeqs.split(",").map(Number) : [],
    skipped: li.dataset.voiceSkipped ? li.dataset.voiceSkipped.split(",").map(Number) : [],
    schedule: JSON.parse(li.dataset.voiceSchedule ?? "[]") as [number, number, number][],
    tag: li.querySelector(".voice-tag")?.textContent ?? null,
  }));

async function send(page: Page, text: string) {
  await page.fill("#input", text);
  await page.click("#send");
}

describe("the playground speaks a reply while its text streams, in headless Chromium", () => {
  it("plays the audio chunks in seq order, the first before the text has ended, and says so on the reply", async () => {
    const sessionId = `playground-voice-${Date.now()}`;
    const page = await openPlayground(sessionId);
    const { socket, frames } = listen(sessionId);
    await socket.ready;

    const message = `${STORY} [[hold:pg-voice]]`;
    await send(page, message);
    const replyId = await replyIdOf(frames, message);
    const reply = page.locator(`#messages li.assistant[data-id="${replyId}"]`);

    // The LLM is held before its last token: the text is still streaming, yet the reply already speaks.
    await expect.poll(async () => (await voiceOf(reply)).chunks, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(
      frames.some((f) => f.type === "response" && f.message_id === replyId),
      "no response yet",
    ).toBe(false);
    expect(await reply.locator(".meta").count(), "no response yet").toBe(0);
    const early = await voiceOf(reply);
    expect(early.state).toBe("speaking");
    expect(early.tag).toMatch(/^speaking · \d+ chunks?$/);
    expect(await page.isEnabled("#cancel")).toBe(true);

    await releaseLlm();
    // The whole reply's audio (the media frame) ends the voice; the page plays on to its end.
    await expect
      .poll(() => frames.some((f) => f.type === "media" && f.message_id === replyId && f.media.audio_status === "ready"), { timeout: 60_000 })
      .toBe(true);
    const sent = chunksOf(frames, replyId);
    expect(sent.length, "the story makes several chunks").toBeGreaterThanOrEqual(3);
    expect(sent.map((f) => f.seq)).toEqual(sent.map((_, i) => i));
    expect(sent.every((f) => f.audio_url?.startsWith("/assets/") && !f.error)).toBe(true);
    await expect.poll(async () => (await voiceOf(reply)).state, { timeout: 120_000 }).toBe("spoken");

    const voice = await voiceOf(reply);
    // Every chunk the server sent, played in seq order, none skipped, each after the one before ended.
    expect(voice.seqs).toEqual(sent.map((f) => f.seq));
    expect(voice.skipped).toEqual([]);
    expect(voice.chunks).toBe(sent.length);
    expect(voice.tag).toBe(`spoke · ${sent.length} chunks`);
    for (let i = 1; i < voice.schedule.length; i++) {
      const [, start, duration] = voice.schedule[i - 1]!;
      expect(voice.schedule[i]![1], `chunk ${i} starts after chunk ${i - 1} ends`).toBeGreaterThanOrEqual(start + duration - 0.001);
    }
    // Nothing is left to stop.
    await expect.poll(() => page.isEnabled("#cancel"), { timeout: 5_000 }).toBe(false);
    await page.screenshot({ path: join(tmpdir(), "playground-voice.png"), fullPage: true });
    socket.close();
    await page.close();
    // The reply is heard in real time (about 25 s of speech), after the emulated GPU's jobs.
  }, 150_000);

  it("Stop silences the reply being spoken, and so does a new message; chunks that come later are not played", async () => {
    const sessionId = `playground-voice-stop-${Date.now()}`;
    const page = await openPlayground(sessionId);
    const { socket, frames } = listen(sessionId);
    await socket.ready;

    // Stop while the text is held: the turn is cancelled and the voice stops at once.
    const first = `${STORY} [[hold:pg-voice]]`;
    await send(page, first);
    const firstId = await replyIdOf(frames, first);
    const firstReply = page.locator(`#messages li.assistant[data-id="${firstId}"]`);
    await expect.poll(async () => (await voiceOf(firstReply)).chunks, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await page.click("#cancel");
    const stopped = await voiceOf(firstReply);
    expect(stopped.state).toBe("stopped");
    expect(stopped.tag).toMatch(/^stopped · \d+ chunks?$/);
    // The page has the cancelled response (its socket delivers in order: every chunk frame sent before it was handled).
    await expect.poll(() => firstReply.locator(".meta").textContent(), { timeout: 15_000 }).toContain("stopped");
    expect(await voiceOf(firstReply)).toEqual(stopped);

    // A new message while the character speaks. Its text is held (so its voice is surely not over) and
    // slow (so its chunks come seconds apart): the server goes on voicing it until the next turn starts.
    const second = `${STORY} [[slow:80]] [[hold:pg-voice]]`;
    await send(page, second);
    const secondId = await replyIdOf(frames, second);
    const secondReply = page.locator(`#messages li.assistant[data-id="${secondId}"]`);
    await expect.poll(async () => (await voiceOf(secondReply)).chunks, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const third = "And now something short.";
    await send(page, third);
    const interrupted = await voiceOf(secondReply);
    expect(interrupted.state).toBe("stopped");
    // The second reply's next chunk still comes (the third turn waits for the held one)...
    await expect.poll(() => chunksOf(frames, secondId).length, { timeout: 30_000 }).toBeGreaterThan(interrupted.chunks);
    await releaseLlm();
    // ...and once the page has the second reply's response (after that chunk, on the same socket), it has not played it.
    await expect.poll(() => secondReply.locator(".meta").count(), { timeout: 15_000 }).toBe(1);
    expect(await voiceOf(secondReply)).toEqual(interrupted);

    // The third is answered and spoken; the second stays silent.
    const thirdId = await replyIdOf(frames, third);
    const thirdReply = page.locator(`#messages li.assistant[data-id="${thirdId}"]`);
    await expect.poll(async () => (await voiceOf(thirdReply)).state, { timeout: 120_000 }).toBe("spoken");
    expect(await voiceOf(secondReply)).toEqual(interrupted);
    const thirdVoice = await voiceOf(thirdReply);
    expect(thirdVoice.seqs).toEqual(chunksOf(frames, thirdId).map((f) => f.seq));
    expect(thirdVoice.chunks).toBeGreaterThanOrEqual(1);
    socket.close();
    await page.close();
  }, 150_000);

  it("gives the selected character a voice from a sample file, and shows the API's error for a bad one", async () => {
    const characterId = `playground-voice-${Date.now()}`;
    await admin.createCharacter({ id: characterId, name: "Marlow", description: "A narrator.", capabilities: ["text", "voice"] });
    const page = await openPlayground(`playground-voice-sample-${Date.now()}`);
    await page.selectOption("#character", characterId);
    expect(await page.textContent("#voice-title")).toBe("Voice of Marlow");
    expect(await page.isDisabled("#voice-upload")).toBe(true);

    // Too short: the API says why, and nothing changes.
    await page.setInputFiles("#voice-file", { name: "short.wav", mimeType: "audio/wav", buffer: Buffer.from(synthesizeSpeech("Too short.")) });
    await page.click("#voice-upload");
    await expect
      .poll(() => page.textContent("#voice-status"), { timeout: 15_000 })
      .toMatch(/^INVALID_REQUEST: The sample is [\d.]+ s long: a voice sample must be at least 5 seconds$/);
    expect((await admin.getCharacter(characterId)).voice_model).toBeNull();

    // Seven seconds of speech-shaped audio: the character's voice becomes a clone of it.
    const sample = synthesizeSpeech("This is how I sound when I tell a story by the fire, slowly and warmly, to anyone who listens.");
    await page.setInputFiles("#voice-file", { name: "marlow.wav", mimeType: "audio/wav", buffer: Buffer.from(sample) });
    expect(await page.isEnabled("#voice-upload")).toBe(true);
    await page.click("#voice-upload");
    await expect
      .poll(() => page.textContent("#voice-status"), { timeout: 15_000 })
      .toMatch(/^Marlow now speaks with the voice of marlow\.wav \(clone:http.+\)$/);
    const voiceModel = (await admin.getCharacter(characterId)).voice_model;
    expect(voiceModel).toMatch(new RegExp(`^clone:.+/assets/voices/${characterId}\\.wav\\?v=[0-9a-f]{16}$`));
    expect(await page.textContent("#voice-status")).toContain(voiceModel);
    await page.close();
  });
});
