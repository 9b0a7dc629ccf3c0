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
    window.player = new window.AudioChunkPlayer({ context, destination: analyser, onEnd: (id: string) => window.ended.push(id) });
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

  it("a new reply stops the old one; a file that will not load is skipped; finish() ends a reply with a gap", async () => {
    const wavs = { "long.wav": toneWav(4), "a.wav": toneWav(0.3, 500), "b.wav": toneWav(0.2, 600) };
    const { page } = await playerPage(wavs);

    await push(page, [frame("old", 0, "long.wav")]);
    await expect.poll(async () => (await state(page)).level, { timeout: 10_000 }).toBeGreaterThan(0.1);
    const old = (await state(page)).played[0]!;

    // The next reply's first frame: the old reply is cut off, and its late frames are ignored. Seq 2 of
    // the new one never comes.
    await push(page, [frame("new", 0, "a.wav"), frame("old", 1, "long.wav"), frame("new", 1, "missing.wav"), frame("new", 3, "b.wav")]);
    await expect.poll(() => page.evaluate(() => window.decoded.length), { timeout: 10_000 }).toBe(3);
    await expect.poll(async () => (await state(page)).skipped, { timeout: 10_000 }).toEqual([{ seq: 1, error: "/assets/audio/missing.wav: HTTP 404" }]);
    expect(await page.evaluate(() => window.player.messageId)).toBe("new");
    // Seq 3 is decoded but waits for 2, and the reply is not over...
    expect((await state(page)).played.map((c) => c.seq)).toEqual([0]);
    await page.evaluate(() => window.player.finish("old"));
    expect(await page.evaluate(() => window.ended)).toEqual([]);
    // ...until its media frame says no more will come: 3 plays after 0, and the end is announced once.
    await page.evaluate(() => window.player.finish("new"));
    await expect.poll(async () => (await state(page)).played.length, { timeout: 10_000 }).toBe(2);
    const { played } = await state(page);
    expect(played.map((c) => c.seq)).toEqual([0, 3]);
    expect(played[1]!.startsAt).toBeGreaterThanOrEqual(played[0]!.startsAt + played[0]!.duration - 0.001);
    await expect.poll(() => page.evaluate(() => window.ended), { timeout: 10_000 }).toEqual(["new"]);
    // Silence while the old reply would still be sounding: it was stopped, not left to play under the new one.
    await expect.poll(async () => (await state(page)).level, { timeout: 5_000 }).toBe(0);
    const after = await state(page);
    expect(after).toMatchObject({ playing: false, level: 0 });
    expect(after.now, "the old reply's schedule was still running").toBeLessThan(old.startsAt + old.duration - 0.5);
    await page.close();
  });

  it("follow(socket) plays a socket's chunks and ends the reply on the media frame that says its audio is done", async () => {
    const { page } = await playerPage({ "a.wav": toneWav(0.2), "b.wav": toneWav(0.2, 500) });
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
    await emit([frame("r", 0, "a.wav"), { type: "response_chunk", message_id: "r", seq: 0, delta: "Hi" }, frame("r", 1, "b.wav")]);
    await expect.poll(async () => (await state(page)).played.map((c) => c.seq), { timeout: 10_000 }).toEqual([0, 1]);
    // The media frame of a job still running (the video, or the whole-reply audio on its way) ends nothing...
    await emit([{ type: "media", message_id: "r", media: { audio_url: "/assets/audio/r.wav", audio_status: "processing" } }]);
    await expect.poll(async () => (await state(page)).playing, { timeout: 10_000 }).toBe(false);
    expect(await page.evaluate(() => window.ended)).toEqual([]);
    // ...the one whose audio is ready does.
    await emit([{ type: "media", message_id: "r", media: { audio_url: "/assets/audio/r.wav", audio_status: "ready" } }]);
    await expect.poll(() => page.evaluate(() => window.ended), { timeout: 10_000 }).toEqual(["r"]);
    // Unsubscribed, it hears nothing more.
    await page.evaluate(() => window.unfollow());
    expect(await page.evaluate(() => [...window.socket.listeners.values()].map((set) => set.size))).toEqual([0, 0]);
    await page.close();
  });
});
