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

describe("the playground in headless Chromium", () => {
  it.each([
    ["a laptop", { width: 1280, height: 800 }],
    ["a phone", { width: 390, height: 844 }],
  ])("chats with a streamed reply on %s", async (_, viewport) => {
    const page = await browser.newPage({ viewport });
    await page.goto(`${baseUrl}/`);
    await page.fill("#api-key", adminKey);
    await page.fill("#session", `playground-${viewport.width}`);
    await page.click("#connect");
    await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toContain("Connected");
    expect(await page.$$eval("#character option", (options) => options.map((o) => (o as HTMLOptionElement).value))).toContain("assistant");

    // Record the reply's text as it grows, to prove it streamed rather than arrived whole.
    await page.evaluate(() => {
      (window as any).seen = [];
      new MutationObserver(() => {
        const reply = document.querySelector("#messages li.assistant span");
        if (reply) (window as any).seen.push(reply.textContent);
      }).observe(document.querySelector("#messages")!, { subtree: true, childList: true, characterData: true });
    });
    await page.fill("#input", "Hello from the browser [[slow:30]]");
    await page.click("#send");
    await page.waitForSelector("#messages li.user");
    await expect.poll(() => page.textContent("#messages li.assistant .meta"), { timeout: 15_000 }).toMatch(/ms/);
    const reply = await page.textContent("#messages li.assistant span");
    expect(reply).toContain('You said: "Hello from the browser [[slow:30]]"');
    const seen = (await page.evaluate(() => (window as any).seen)) as string[];
    expect(new Set(seen.filter((s) => s && s !== reply)).size).toBeGreaterThan(2);

    // assistant speaks: a progress bar while the GPU job runs, then the audio player.
    await page.waitForSelector('#messages li.assistant audio[data-testid="audio-player"]', { timeout: 30_000 });
    const audioUrl = await page.getAttribute("#messages li.assistant audio", "src");
    expect(audioUrl).toMatch(/^\/assets\/audio\/.+\.wav$/);
    const wav = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      return { type: res.headers.get("Content-Type"), bytes: (await res.arrayBuffer()).byteLength };
    }, audioUrl);
    expect(wav.type).toBe("audio/wav");
    expect(wav.bytes).toBeGreaterThan(1000);
    await page.waitForSelector('#messages li.assistant video[data-testid="video-player"]', { timeout: 30_000 });

    // The page fits the viewport: no sideways scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: join(tmpdir(), `playground-${viewport.width}.png`) });
    await page.close();
  });
});
