import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { ChatacterClient } from "../../shared/client/index.js";

const baseUrl = inject("stackUrl");
const admin = new ChatacterClient(baseUrl, inject("stackAdminKey"));
const FACT = "Sam keeps a lighthouse on the isle of Vell.";

let browser: Browser;
let key: string;
let client: ChatacterClient;
beforeAll(async () => {
  browser = await launchChromium();
  // A key of its own, as a user would paste: memory is kept per key, and the SDK checks what the page did.
  key = (await admin.createKey("playground memory")).key;
  client = new ChatacterClient(baseUrl, key);
});
afterAll(async () => {
  await browser?.close();
});

/** The playground connected to `sessionId` as `userId`, `characterId` selected, without reply media. */
async function openTab(viewport: { width: number; height: number }, sessionId: string, userId: string, characterId: string): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${baseUrl}/`);
  await page.fill("#api-key", key);
  await page.fill("#session", sessionId);
  await page.fill("#user-id", userId);
  await page.press("#user-id", "Tab");
  await page.uncheck("#media");
  await page.click("#connect");
  await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toContain("Connected");
  await page.selectOption("#character", characterId);
  return page;
}

const items = (page: Page) => page.locator("#memories > li.memory");
const status = (page: Page) => page.locator("#memory-status").textContent();
const isPinned = (item: Locator) => item.evaluate((li) => li.classList.contains("pinned"));

describe("memory in the playground, in headless Chromium", () => {
  it.each([
    ["a laptop", { width: 1280, height: 800 }],
    ["a phone", { width: 390, height: 844 }],
  ])("remembers a user, tags replies, and pins, edits, searches and deletes memories on %s", async (_, viewport) => {
    const characterId = `playground-memory-${viewport.width}`;
    const userId = `playground-user-${viewport.width}`;
    const scope = { characterId, userId };
    await admin.createCharacter({ id: characterId, name: "Wren", description: "A lighthouse keeper who listens." });
    const page = await openTab(viewport, `playground-memory-${viewport.width}`, userId, characterId);
    // The user id is kept for the next visit.
    expect(await page.evaluate(() => localStorage.getItem("chattr.user"))).toBe(userId);
    await expect.poll(() => page.locator("#memory-title").textContent()).toBe(`Memory of ${userId} with Wren`);
    await expect.poll(() => page.getByText("Nothing remembered yet.").isVisible()).toBe(true);

    // Add: pinned unless unticked.
    expect(await page.isChecked("#memory-pinned")).toBe(true);
    await page.fill("#memory-content", FACT);
    await page.getByRole("button", { name: "Remember" }).click();
    await expect.poll(() => items(page).count(), { timeout: 15_000 }).toBe(1);
    expect(await status(page)).toBe("Memory added");
    const [stored] = (await client.memories.list(scope)).memories;
    expect(stored).toMatchObject({ content: FACT, pinned: true, user_id: userId });
    const item = page.locator(`#memories > li.memory[data-id="${stored!.id}"]`);
    expect(await item.locator(".kind").textContent()).toBe("pinned");
    expect(await item.locator(".memory-text").textContent()).toBe(FACT);
    expect(await isPinned(item)).toBe(true);

    // A message goes with the user id: its prompt used the pinned fact, and the reply says so. What the
    // user says of themselves is extracted after the reply, and the panel shows it without being asked.
    await page.fill("#input", "My dog is called Biscuit. Where do I live?");
    await page.click("#send");
    const reply = page.locator("#messages > li.assistant");
    await expect.poll(() => reply.locator(".meta").count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => reply.locator(".memory-tag").textContent()).toBe("memory: 1");
    expect(await reply.locator(".memory-tag").getAttribute("title")).toBe("pinned");
    const extracted = items(page).filter({ hasText: "My dog is called Biscuit." });
    await expect.poll(() => extracted.count(), { timeout: 10_000 }).toBe(1);
    expect(await extracted.locator(".kind").textContent()).toBe("fact");
    expect(await isPinned(extracted)).toBe(false);

    // Unpin, then pin again.
    await item.getByRole("button", { name: "Unpin" }).click();
    await expect.poll(() => item.getByRole("button", { name: "Pin", exact: true }).count()).toBe(1);
    expect(await isPinned(item)).toBe(false);
    expect((await client.memories.list(scope)).memories).toContainEqual(expect.objectContaining({ id: stored!.id, pinned: false }));
    await item.getByRole("button", { name: "Pin", exact: true }).click();
    await expect.poll(() => isPinned(item)).toBe(true);

    // Edit in place: Enter saves.
    const edited = "Sam keeps the lighthouse on Vell and a cat named Miso.";
    await item.getByRole("button", { name: "Edit memory" }).click();
    const box = page.getByRole("textbox", { name: "Edit memory" });
    await box.fill(edited);
    await box.press("Enter");
    await expect.poll(() => item.locator(".memory-text").textContent()).toBe(edited);
    expect((await client.memories.list(scope)).memories).toContainEqual(expect.objectContaining({ id: stored!.id, content: edited }));

    // Search: each hit shows its score, best first; emptying the box lists again.
    await page.fill("#memory-search", "lighthouse");
    await page.press("#memory-search", "Enter");
    await expect.poll(() => items(page).first().locator(".score").count()).toBe(1);
    expect(await items(page).first().getAttribute("data-id")).toBe(stored!.id);
    for (const score of await items(page).locator(".score").allTextContents()) expect(score).toMatch(/^score \d+\.\d{3}$/);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: join(tmpdir(), `playground-memory-${viewport.width}.png`), fullPage: true });
    await page.fill("#memory-search", "");
    await expect.poll(() => items(page).locator(".score").count()).toBe(0);

    // Delete.
    await item.getByRole("button", { name: "Delete memory" }).click();
    await expect.poll(() => item.count()).toBe(0);
    expect(await status(page)).toBe("Memory deleted");
    expect((await client.memories.list(scope)).memories.map((m) => m.id)).not.toContain(stored!.id);
    expect(await extracted.count()).toBe(1);
    await page.close();
  });
});
