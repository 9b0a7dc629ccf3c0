import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

const baseUrl = inject("stackUrl");
const adminKey = inject("stackAdminKey");

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The top-level box types of an MP4, in order. */
function topLevelBoxes(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; at += view.getUint32(at) || bytes.length) types.push(new TextDecoder().decode(bytes.subarray(at + 4, at + 8)));
  return types;
}

describe("the playground plays a talking head in headless Chromium", () => {
  it("shows the character's face while the video is made, then plays the emulator's H.264 video", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Debian's Chromium decodes H.264 itself (its ffmpeg has the proprietary codecs); a build without them fails here, named.
    const support = await page.evaluate(() => ({
      canPlay: document.createElement("video").canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"'),
      mse: MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"'),
    }));
    expect(support, "this Chromium cannot decode H.264").toEqual({ canPlay: "probably", mse: true });

    await page.goto(`${baseUrl}/`);
    await page.fill("#api-key", adminKey);
    await page.fill("#session", "playground-video");
    await page.click("#connect");
    await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toContain("Connected");
    await page.selectOption("#character", "assistant");

    await page.fill("#input", "Tell me something, face to face.");
    await page.click("#send");

    const face = page.locator("#messages li.assistant img.reply-face");
    await face.waitFor({ timeout: 30_000 });
    expect(await face.getAttribute("src")).toBe("/assets/avatars/assistant.png");
    await expect.poll(() => face.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(512);

    const video = page.locator('#messages li.assistant video[data-testid="video-player"]');
    await video.waitFor({ timeout: 45_000 });
    expect(await face.count(), "the face makes way for the video").toBe(0);
    expect(await video.getAttribute("poster")).toBe("/assets/avatars/assistant.png");
    const src = (await video.getAttribute("src"))!;
    expect(src).toMatch(/^\/assets\/video\/.+\.mp4$/);

    // The file is H.264 with moov before mdat.
    const bytes = new Uint8Array(await (await fetch(`${baseUrl}${src}`)).arrayBuffer());
    const boxes = topLevelBoxes(bytes);
    expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("mdat"));
    expect(Buffer.from(bytes).includes("avc1")).toBe(true);

    // It plays: decoded frames (readyState >= HAVE_CURRENT_DATA) and a clock that moves.
    const started = await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      await v.play();
      return { error: v.error?.code ?? null, duration: v.duration };
    });
    expect(started.error).toBeNull();
    expect(started.duration).toBeGreaterThan(0.5);
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const first = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 }).toBeGreaterThan(first + 0.2);
    const played = await video.evaluate((v: HTMLVideoElement) => ({ error: v.error?.code ?? null, width: v.videoWidth, height: v.videoHeight }));
    expect(played).toEqual({ error: null, width: 256, height: 256 });

    await page.screenshot({ path: join(tmpdir(), "playground-video.png") });
    await page.close();
  });
});
