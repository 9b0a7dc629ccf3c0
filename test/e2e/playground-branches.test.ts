import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { ChatacterClient } from "../../shared/client/index.js";

const baseUrl = inject("stackUrl");
const admin = new ChatacterClient(baseUrl, inject("stackAdminKey"));

let browser: Browser;
let key: string;
beforeAll(async () => {
  browser = await launchChromium();
  // A key of its own, as a user would paste: the other files share the admin key's rate budget.
  key = (await admin.createKey("playground tree")).key;
});
afterAll(async () => {
  await browser?.close();
});

/** A tab of the playground connected to `sessionId`, without reply media (not what this test is about). */
async function openTab(viewport: { width: number; height: number }, sessionId: string): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${baseUrl}/`);
  await page.fill("#api-key", key);
  await page.fill("#session", sessionId);
  await page.uncheck("#media");
  await page.click("#connect");
  await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toContain("Connected");
  return page;
}

const replies = (page: Page) => page.locator("#messages > li.assistant");
/** What a user reads: each bubble's text, top to bottom. */
const texts = (page: Page) => page.locator("#messages > li > .text").allTextContents();
/** The swipe control of a bubble as it reads, "‹ 2/3 ›"; null when the message has no alternatives. */
const swipes = async (bubble: Locator) => ((await bubble.locator(".swipes").count()) ? bubble.locator(".swipes").textContent() : null);

/** Sends a message and waits for its reply to finish (its timing line shows). */
async function send(page: Page, text: string) {
  const before = await replies(page).locator(".meta").count();
  await page.fill("#input", text);
  await page.click("#send");
  await expect.poll(() => replies(page).locator(".meta").count(), { timeout: 15_000 }).toBe(before + 1);
}

describe("the conversation tree in the playground, in headless Chromium", () => {
  it.each([
    ["a laptop", { width: 1280, height: 800 }],
    ["a phone", { width: 390, height: 844 }],
  ])("swipes, regenerates, edits and continues on %s, and another tab follows", async (_, viewport) => {
    const sessionId = `playground-tree-${viewport.width}`;
    const page = await openTab(viewport, sessionId);
    const other = await openTab(viewport, sessionId);
    await send(page, "first message");
    await send(page, "second message");
    const original = await texts(page);
    expect(original).toEqual([
      "first message",
      expect.stringContaining('You said: "first message"'),
      "second message",
      expect.stringContaining('You said: "second message"'),
    ]);
    expect(await swipes(replies(page).last())).toBeNull();
    const firstSwipeId = await replies(page).last().getAttribute("data-id");

    // Regenerate the last reply: a second swipe takes its place, in this tab and the other.
    await replies(page).last().getByRole("button", { name: "Regenerate" }).click();
    await expect.poll(() => swipes(replies(page).last()), { timeout: 15_000 }).toBe("‹ 2/2 ›");
    expect(await replies(page).last().getAttribute("data-id")).not.toBe(firstSwipeId);
    await expect.poll(() => texts(page)).toEqual(original);
    await expect.poll(() => swipes(replies(other).last()), { timeout: 15_000 }).toBe("‹ 2/2 ›");
    await expect.poll(() => texts(other)).toEqual(original);

    // ‹ goes back to the first swipe: 1/2, its text, everywhere.
    await replies(page).last().getByRole("button", { name: "Previous swipe" }).click();
    await expect.poll(() => swipes(replies(page).last())).toBe("‹ 1/2 ›");
    expect(await replies(page).last().getAttribute("data-id")).toBe(firstSwipeId);
    expect(await replies(page).last().locator(".text").textContent()).toBe(original[3]);
    expect(await replies(page).last().getByRole("button", { name: "Previous swipe" }).isDisabled()).toBe(true);
    await expect.poll(() => swipes(replies(other).last())).toBe("‹ 1/2 ›");

    // Edit the first message inline; Enter saves: the conversation is drawn again from it.
    const firstUser = page.locator("#messages > li.user").first();
    await firstUser.getByRole("button", { name: "Edit" }).click();
    const box = firstUser.getByRole("textbox", { name: "Edit message" });
    expect(await box.inputValue()).toBe("first message");
    await box.fill("first message, edited");
    await box.press("Enter");
    await expect.poll(() => replies(page).locator(".meta").count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => texts(page)).toEqual(["first message, edited", expect.stringContaining('You said: "first message, edited"')]);
    await expect.poll(() => swipes(page.locator("#messages > li.user").first())).toBe("‹ 2/2 ›");
    await expect.poll(() => texts(other), { timeout: 15_000 }).toEqual(await texts(page));
    await expect.poll(() => swipes(other.locator("#messages > li.user").first())).toBe("‹ 2/2 ›");

    // Continue the last reply: it goes on from where it stopped, as a new swipe.
    const before = (await replies(page).last().locator(".text").textContent())!;
    await replies(page).last().getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => swipes(replies(page).last()), { timeout: 15_000 }).toBe("‹ 2/2 ›");
    const after = (await replies(page).last().locator(".text").textContent())!;
    expect(after.startsWith(`${before} `)).toBe(true);
    expect(after.length).toBeGreaterThan(before.length + 10);
    expect(await texts(page)).toEqual(["first message, edited", after]);
    await expect.poll(() => texts(other), { timeout: 15_000 }).toEqual(["first message, edited", after]);
    // Only the last reply offers continue.
    expect(await page.getByRole("button", { name: "Continue" }).count()).toBe(1);

    // The page fits the viewport: no sideways scrolling on a phone.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: join(tmpdir(), `playground-tree-${viewport.width}.png`), fullPage: true });
    await page.close();
    await other.close();
  });
});
