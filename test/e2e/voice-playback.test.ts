import { readFileSync } from "node:fs";
import type { Browser, Page, Route } from "playwright-core";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wavFile } from "../../gpu-jobs/emulator/wav";
import { launchChromium } from "./chromium";
import type { AudioChunkPlayer } from "../../shared/client/audio-chunks";
import type { AudioChunkFrame } from "../../shared/schemas/realtime";

// The SDK's player alone, on a made-up origin that page.route serves: no server, no speech pipeline.
const ORIGIN = "http://player.test";
const RATE = 24_000;

/** A sine tone as a mono 16-bit PCM WAV, as the speech models write them. */
function toneWav(seconds: number, hz = 440): Uint8Array {
  const pcm = new Int16Array(Math.round(seconds * RATE)).map((_, i) => Math.round(Math.sin((2 * Math.PI * hz * i) / RATE) * 12_000));
  return wavFile(pcm, RATE);
}

// The player as the browser gets it: the SDK file with its types stripped (it imports nothing at run time).
const playerModule = ts.transpileModule(readFileSync(new URL("../../shared/client/audio-chunks.ts", import.meta.url), "utf8"), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
}).outputText;

// The page imports it as an app would (the test's own code is rewritten by Vite, so it cannot `import()` in the page).
const PAGE = `<!doctype html><title>player</title>
<script type="module">import { AudioChunkPlayer } from "/audio-chunks.js"; window.AudioChunkPlayer = AudioChunkPlayer;</script>`;

/** What the test page keeps on `window`. */
interface TestWindow {
  AudioChunkPlayer: typeof AudioChunkPlayer;
  player: AudioChunkPlayer;
  /** Durations of the buffers decodeAudioData has finished, in the order it finished them. */
  decoded: number[];
  ended: string[];
  /** Every chunk placed on the timeline, in the order placed. */
  chunks: { messageId: string; seq: number; startsAt: number; duration: number }[];
  socket: { listeners: Map<string, Set<(frame: unknown) => void>>; on(type: string, listener: (frame: unknown) => void): () => boolean };
  unfollow(): void;
  /** The loudest sample the analyser saw in its last window. */
  level(): number;
}
declare const window: TestWindow;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * A page with the player on an AudioContext whose sources go through an analyser. WAVs are served from
 * `wavs` (by file name); a name in `held` is answered only once `release(name)` is called.
 */
async function playerPage(wavs: Record<string, Uint8Array>, held: string[] = []) {
  const page = await browser.newPage();
  const requested: string[] = [];
  const waiting = new Map<string, () => void>();
  const gates = new Map(held.map((name) => [name, new Promise<void>((resolve) => waiting.set(name, resolve))]));
  await page.route(`${ORIGIN}/**`, async (route: Route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/") return route.fulfill({ contentType: "text/html", body: PAGE });
    if (path === "/audio-chunks.js") return route.fulfill({ contentType: "text/javascript", body: playerModule });
    const name = path.replace("/assets/audio/", "");
    requested.push(name);
    await gates.get(name);
    const wav = wavs[name];
    return wav ? route.fulfill({ contentType: "audio/wav", body: Buffer.from(wav) }) : route.fulfill({ status: 404, body: "" });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => window.AudioChunkPlayer);
  await page.evaluate(async () => {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.connect(context.destination);
    window.decoded = [];
    window.ended = [];
    window.chunks = [];
    const decode = context.decodeAudioData.bind(context);
    context.decodeAudioData = async (data: ArrayBuffer) => {
      const buffer = await decode(data);
      window.decoded.push(buffer.duration);
      return buffer;
    };
    window.level = () => {
      const samples = new Float32Array(analyser.fftSize);
      analyser.getFloatTimeDomainData(samples);
      return samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
    };
    window.player = new window.AudioChunkPlayer({
      context,
      destination: analyser,
      onEnd: (id: string) => window.ended.push(id),
      onChunk: ({ messageId, seq, startsAt, duration }) => window.chunks.push({ messageId, seq, startsAt, duration }),
    });
    // Headless Chromium runs audio without a gesture; a browser would need player.resume() in a click.
    await window.player.resume();
  });
  return { page, requested, release: (name: string) => waiting.get(name)!() };
}

const frame = (messageId: string, seq: number, file: string | null, error?: string): AudioChunkFrame => ({
  type: "audio_chunk",
  message_id: messageId,
  character_id: "creative",
  seq,
  text: `Sentence ${seq}.`,
  audio_url: file && `/assets/audio/${file}`,
  // Rounded, as a server may send it: the player must time chunks by the decoded audio, not by this.
  duration_seconds: file ? 1 : null,
  ...(error ? { error } : {}),
});

const push = (page: Page, frames: AudioChunkFrame[]) =>
  page.evaluate((list) => {
    for (const f of list) window.player.push(f);
  }, frames);
/** The chunks placed so far, as [reply, seq], in the order placed. */
const chunks = (page: Page) => page.evaluate(() => window.chunks.map((c) => [c.messageId, c.seq]));
const state = (page: Page) =>
  page.evaluate(() => ({
    played: window.player.played.map(({ seq, startsAt, duration }) => ({ seq, startsAt, duration })),
    skipped: window.player.skipped.map(({ seq, error }) => ({ seq, error })),
    playing: window.player.playing,
    now: window.player.context.currentTime,
    level: window.level(),
  }));

describe("the SDK's AudioChunkPlayer in headless Chromium", () => {
  it("plays chunks that arrive out of order in seq order, back to back, skipping a failed one, and stop() silences it", async () => {
    const wavs = { "c0.wav": toneWav(1.5, 330), "c1.wav": toneWav(2, 440), "c3.wav": toneWav(1.25, 550) };
    const { page, requested, release } = await playerPage(wavs, ["c0.wav"]);

    // Seq 1, then 3, a failed chunk (2), then seq 0, whose file is held back.
    await push(page, [frame("m1", 1, "c1.wav"), frame("m1", 3, "c3.wav"), frame("m1", 2, null, "TTS failed"), frame("m1", 0, "c0.wav")]);
    // Every file is asked for at once, in parallel; 1 and 3 are decoded while 0 is still on its way...
    await expect.poll(() => [...requested].sort(), { timeout: 10_000 }).toEqual(["c0.wav", "c1.wav", "c3.wav"]);
    await expect.poll(() => page.evaluate(() => window.decoded.length), { timeout: 10_000 }).toBe(2);
    // ...and wait for it: nothing is placed, not even the failed chunk, before seq 0.
    expect(await state(page)).toMatchObject({ played: [], skipped: [], playing: false });

    release("c0.wav");
    await expect.poll(async () => (await state(page)).played.length, { timeout: 10_000 }).toBe(3);
    const { played, skipped, now } = await state(page);
    expect(played.map((c) => c.seq)).toEqual([0, 1, 3]);
    expect(skipped).toEqual([{ seq: 2, error: "TTS failed" }]);
    // Durations are the decoded audio's (resampled to the context's rate), not the frames' rounded 1 s.
    expect(played.map((c) => Math.round(c.duration * 100) / 100)).toEqual([1.5, 2, 1.25]);
    // Each starts where the one before ends, the failed one leaving no gap.
    for (let i = 1; i < played.length; i++) expect(Math.abs(played[i]!.startsAt - (played[i - 1]!.startsAt + played[i - 1]!.duration))).toBeLessThan(0.001);
    // The first starts a little ahead of when it was placed, never in the past.
    expect(played[0]!.startsAt).toBeGreaterThan(now - 0.5);
    expect(await page.evaluate(() => window.player.firstStartsAt)).toBe(played[0]!.startsAt);
    const end = played.at(-1)!.startsAt + played.at(-1)!.duration;
    // The reply's media frame came: nothing more to wait for (stopped before its end, it is not announced).
    await page.evaluate(() => window.player.finish("m1"));

    // It sounds...
    await expect.poll(async () => (await state(page)).level, { timeout: 10_000 }).toBeGreaterThan(0.1);
    expect((await state(page)).playing).toBe(true);
    // ...until stop(): silent at once, though the clock runs on inside what was scheduled.
    const stoppedAt = await page.evaluate(() => {
      window.player.stop();
      return window.player.context.currentTime;
    });
    expect(stoppedAt, "stopped while the reply was still playing").toBeLessThan(end - 1);
    expect((await state(page)).playing).toBe(false);
    await expect.poll(async () => (await state(page)).level, { timeout: 5_000 }).toBe(0);
    expect((await state(page)).now, "silent while the schedule still ran").toBeLessThan(end - 0.5);
    await expect.poll(async () => (await state(page)).now, { timeout: 5_000 }).toBeGreaterThan(stoppedAt + 0.5);
    expect(await state(page)).toMatchObject({ level: 0, playing: false });
    // A frame of the stopped reply that was still on its way is not played.
    await push(page, [frame("m1", 4, "c1.wav")]);
    expect(await state(page)).toMatchObject({ playing: false, played: played.map((c) => ({ seq: c.seq })) });
    expect(await page.evaluate(() => window.ended)).toEqual([]);
    await page.close();
  });

  it("queues replies: a later reply plays once the earlier one has played, gapless, each in seq order; stop() silences both", async () => {
    const wavs = {
      "a0.wav": toneWav(0.6),
      "a1.wav": toneWav(0.5, 500),
      "b0.wav": toneWav(0.4, 600),
      "b3.wav": toneWav(0.3, 700),
      "c0.wav": toneWav(3),
      "d0.wav": toneWav(1),
    };
    const { page } = await playerPage(wavs);

    // A group turn: both speakers voiced at once, their frames interleaved. B's seq 1 will not load, and seq 2 never comes.
    await push(page, [frame("A", 0, "a0.wav"), frame("B", 0, "b0.wav"), frame("B", 1, "missing.wav"), frame("A", 1, "a1.wav"), frame("B", 3, "b3.wav")]);
    await expect.poll(() => page.evaluate(() => window.decoded.length), { timeout: 10_000 }).toBe(4);
    await expect
      .poll(() => chunks(page), { timeout: 10_000 })
      .toEqual([
        ["A", 0],
        ["A", 1],
      ]);
    // A sounds, not cut by B's frames, and B waits behind it, even once B is complete...
    await expect.poll(async () => (await state(page)).level, { timeout: 10_000 }).toBeGreaterThan(0.1);
    await page.evaluate(() => window.player.finish("B"));
    expect(await page.evaluate(() => ({ queued: window.player.queued, messageId: window.player.messageId }))).toEqual({ queued: ["A", "B"], messageId: "A" });
    expect(await chunks(page)).toHaveLength(2);
    expect(await page.evaluate(() => window.ended)).toEqual([]);

    // ...until A's end is known: B's chunks go on the timeline right where A's last one ends, in seq order.
    await page.evaluate(() => window.player.finish("A"));
    await expect
      .poll(() => chunks(page), { timeout: 10_000 })
      .toEqual([
        ["A", 0],
        ["A", 1],
        ["B", 0],
        ["B", 3],
      ]);
    const placed = await page.evaluate(() => window.chunks);
    for (let i = 1; i < placed.length; i++)
      expect(Math.abs(placed[i]!.startsAt - (placed[i - 1]!.startsAt + placed[i - 1]!.duration)), `chunk ${i} follows`).toBeLessThan(0.001);
    expect(await page.evaluate(() => window.player.skipped.map(({ messageId, seq, error }) => ({ messageId, seq, error })))).toEqual([
      { messageId: "B", seq: 1, error: "/assets/audio/missing.wav: HTTP 404" },
    ]);
    // Each reply's end is said once it has played, in order.
    await expect.poll(() => page.evaluate(() => window.ended), { timeout: 10_000 }).toEqual(["A", "B"]);
    expect((await state(page)).now).toBeGreaterThanOrEqual(placed.at(-1)!.startsAt + placed.at(-1)!.duration - 0.05);
    // A late frame of a reply that has played is not played again.
    await push(page, [frame("A", 2, "a0.wav")]);
    expect(await chunks(page)).toHaveLength(4);

    // stop() silences the reply speaking and drops the one queued behind it, and their late frames.
    await push(page, [frame("C", 0, "c0.wav"), frame("D", 0, "d0.wav")]);
    await expect.poll(() => page.evaluate(() => window.decoded.length), { timeout: 10_000 }).toBe(6);
    await expect.poll(async () => (await state(page)).level, { timeout: 10_000 }).toBeGreaterThan(0.1);
    const stoppedAt = await page.evaluate(() => {
      window.player.stop();
      return window.player.context.currentTime;
    });
    expect(await page.evaluate(() => window.player.queued)).toEqual([]);
    await expect.poll(async () => (await state(page)).level, { timeout: 5_000 }).toBe(0);
    await expect.poll(async () => (await state(page)).now, { timeout: 5_000 }).toBeGreaterThan(stoppedAt + 0.5);
    await push(page, [frame("C", 1, "d0.wav"), frame("D", 1, "d0.wav")]);
    const lateAt = await page.evaluate(() => {
      window.player.finish("C");
      window.player.finish("D");
      return window.player.context.currentTime;
    });
    await expect.poll(async () => (await state(page)).now, { timeout: 5_000 }).toBeGreaterThan(lateAt + 0.5);
    expect(await page.evaluate(() => window.decoded.length)).toBe(6);
    expect(await state(page)).toMatchObject({ level: 0, playing: false });
    expect((await chunks(page)).filter(([id]) => id === "C" || id === "D")).toEqual([["C", 0]]);
    expect(await page.evaluate(() => window.ended)).toEqual(["A", "B"]);
    await page.close();
  });

  it("follow(socket) queues replies in the order their text started, skips one without voice, and ends each on its media frame, its error or a new message", async () => {
    const { page } = await playerPage({ "a.wav": toneWav(0.3), "b.wav": toneWav(0.2, 500), "c.wav": toneWav(0.2, 600) });
    const emit = (frames: object[]) =>
      page.evaluate((list) => {
        for (const f of list as { type: string }[]) for (const listener of window.socket.listeners.get(f.type) ?? []) listener(f);
      }, frames);
    await page.evaluate(() => {
      // A ChatSocket as far as the player can tell: its `on`.
      const listeners = new Map<string, Set<(frame: unknown) => void>>();
      window.socket = {
        listeners,
        on(type: string, listener: (frame: unknown) => void) {
          listeners.set(type, (listeners.get(type) ?? new Set()).add(listener));
          return () => listeners.get(type)!.delete(listener);
        },
      };
      window.unfollow = window.player.follow(window.socket as never);
    });
    const text = (id: string, character: string) => ({ type: "response_chunk", message_id: id, character_id: character, seq: 0, delta: "Hi" });
    const response = (id: string, character: string, audio: boolean) => ({
      type: "response",
      message_id: id,
      character_id: character,
      media: audio ? { audio_url: `/assets/audio/${id}.wav`, status: "pending" } : null,
      metadata: { finish_reason: "stop" },
      cancelled: false,
    });
    const media = (id: string, status: string) => ({ type: "media", message_id: id, media: { audio_url: `/assets/audio/${id}.wav`, audio_status: status } });

    // A group turn: r1 (voiced), r2 (no voice), r3 (voiced), written in that order; r3's first chunk comes before r1's.
    await emit([text("r1", "ann"), response("r1", "ann", true), text("r2", "ben"), response("r2", "ben", false), text("r3", "cat")]);
    await emit([{ ...frame("r3", 0, "c.wav"), character_id: "cat" }]);
    await expect.poll(() => page.evaluate(() => window.decoded.length), { timeout: 10_000 }).toBe(1);
    expect(await page.evaluate(() => window.player.queued)).toEqual(["r1", "r3"]);
    expect(await chunks(page), "r3 waits for r1").toEqual([]);
    await emit([
      { ...frame("r1", 0, "a.wav"), character_id: "ann" },
      { ...frame("r1", 1, "b.wav"), character_id: "ann" },
    ]);
    await expect
      .poll(() => chunks(page), { timeout: 10_000 })
      .toEqual([
        ["r1", 0],
        ["r1", 1],
      ]);
    // The media frame of a job still running (the video, or the whole-reply audio on its way) ends nothing...
    await emit([media("r1", "processing")]);
    await expect.poll(async () => (await state(page)).playing, { timeout: 10_000 }).toBe(false);
    expect(await page.evaluate(() => window.ended)).toEqual([]);
    expect(await chunks(page)).toHaveLength(2);
    // ...the one whose audio is ready does, and r3 follows.
    await emit([media("r1", "ready")]);
    await expect.poll(() => page.evaluate(() => window.ended), { timeout: 10_000 }).toEqual(["r1"]);
    await expect.poll(() => chunks(page), { timeout: 10_000 }).toContainEqual(["r3", 0]);
    // r3's speaker fails before its text is done: its voice ends with what came.
    await emit([{ type: "error", code: "SERVICE_UNAVAILABLE", message: "Cat could not answer", character_id: "cat" }]);
    await expect.poll(() => page.evaluate(() => window.ended), { timeout: 10_000 }).toEqual(["r1", "r3"]);

    // A voiced reply whose media frame never comes (the server stopped its voice): a new user message ends it.
    await emit([text("r4", "ann"), { ...frame("r4", 0, "a.wav"), character_id: "ann" }, response("r4", "ann", true)]);
    await expect.poll(() => chunks(page), { timeout: 10_000 }).toContainEqual(["r4", 0]);
    await expect.poll(async () => (await state(page)).playing, { timeout: 10_000 }).toBe(false);
    expect(await page.evaluate(() => window.ended)).toEqual(["r1", "r3"]);
    await emit([{ type: "user_message", message_id: "u5", reply_id: "r5", content: "Next!" }]);
    await expect.poll(() => page.evaluate(() => window.ended), { timeout: 10_000 }).toEqual(["r1", "r3", "r4"]);
    expect(await page.evaluate(() => window.player.queued)).toEqual([]);

    // Unsubscribed, it hears nothing more.
    await page.evaluate(() => window.unfollow());
    expect(await page.evaluate(() => [...window.socket.listeners.values()].every((set) => set.size === 0))).toBe(true);
    await page.close();
  });
});
