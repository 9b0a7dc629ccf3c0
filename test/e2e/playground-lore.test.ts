import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { ChatacterClient } from "../../shared/client/index.js";

const baseUrl = inject("stackUrl");
const admin = new ChatacterClient(baseUrl, inject("stackAdminKey"));
const MOONSTONE = "Moonstones glow blue when the twin moons rise.";

/** A SillyTavern world-info file, as a user would pick it from disk. */
const worldFile = () => ({
  // SillyTavern names a world by its file: the playground names the lorebook after it.
  name: "Gems.json",
  mimeType: "application/json",
  buffer: Buffer.from(
    JSON.stringify(
      {
        entries: {
          "0": {
            uid: 0,
            key: ["moonstone"],
            keysecondary: [],
            comment: "Moonstone",
            content: MOONSTONE,
            constant: false,
            position: 0,
            disable: false,
            order: 100,
          },
          "1": {
            uid: 1,
            key: ["opal"],
            keysecondary: [],
            comment: "Opals",
            content: "Opals are unlucky at sea.",
            constant: false,
            position: 1,
            disable: false,
            order: 90,
          },
        },
      },
      null,
      2,
    ),
  ),
});

let browser: Browser;
let keys: { admin: string; chat: string };
beforeAll(async () => {
  browser = await launchChromium();
  // Keys of their own, as a user would paste: attaching lorebooks needs the admin scope.
  keys = {
    admin: (await admin.createKey("playground lore", ["chat", "admin"])).key,
    chat: (await admin.createKey("playground lore chat")).key,
  };
});
afterAll(async () => {
  await browser?.close();
});

/** The playground connected with `key` to `sessionId`, `characterId` selected, without reply media. */
async function openTab(viewport: { width: number; height: number }, key: string, sessionId: string, characterId: string): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${baseUrl}/`);
  await page.fill("#api-key", key);
  await page.fill("#session", sessionId);
  await page.uncheck("#media");
  await page.click("#connect");
  await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toContain("Connected");
  await page.selectOption("#character", characterId);
  return page;
}

const visibleText = (page: Page, selector: string) => page.locator(selector).textContent();

describe("lorebooks and the context view in the playground, in headless Chromium", () => {
  it.each([
    ["a laptop", { width: 1280, height: 800 }],
    ["a phone", { width: 390, height: 844 }],
  ])("uploads and attaches a lorebook, shows the entries and the next prompt, and sends on %s", async (_, viewport) => {
    const characterId = `playground-lore-${viewport.width}`;
    await admin.createCharacter({ id: characterId, name: "Lyra", description: "A jeweller in the port of Vell." });
    const page = await openTab(viewport, keys.admin, `playground-lore-${viewport.width}`, characterId);
    await expect.poll(() => visibleText(page, "#lore-title")).toBe("Lorebooks for Lyra");
    expect(await page.getByText("No lorebook attached.").isVisible()).toBe(true);

    // Upload: the book is stored and attached to the character, and listed under its name.
    await page.setInputFiles("#lore-file", worldFile());
    await expect.poll(() => visibleText(page, "#lore-status"), { timeout: 15_000 }).toBe("Attached Gems (2 entries) to Lyra");
    const book = page.locator("#lorebooks > li.book");
    expect(await book.count()).toBe(1);
    expect(await book.locator("summary").textContent()).toBe("Gems 2 entries");
    expect(await page.getByText("No lorebook attached.").isVisible()).toBe(false);
    expect((await admin.getCharacter(characterId)).lorebook_ids).toHaveLength(1);

    // Its entries are collapsed until the book is opened: name, keys, position.
    expect(await book.locator(".entries").isVisible()).toBe(false);
    await book.locator("summary").click();
    await expect.poll(() => book.locator(".entries > li").allTextContents()).toEqual(["Moonstone moonstone before_char", "Opals opal after_char"]);

    // The context view for what is typed: the entry that fired, the token bar, the prompt's messages.
    await page.fill("#input", "Do you sell moonstone rings?");
    await page.getByRole("button", { name: "Context" }).click();
    await page.waitForSelector("#context:not([hidden]) #context-lore li.fired");
    expect(await page.locator("#context-lore > li").allTextContents()).toEqual([
      expect.stringMatching(/^Moonstone matched “moonstone” before_char · \d+ tokens · Gems$/),
    ]);
    const total = await visibleText(page, "#token-total");
    expect(total).toMatch(/^\d+ \/ \d+ tokens \(\d+%\)$/);
    const legend = await page.locator("#token-legend > li").allTextContents();
    expect(legend.map((item) => item.replace(/ \d+$/, ""))).toEqual(["system", "lore", "memory", "examples", "history", "message"]);
    expect(Number(legend[1]!.split(" ")[1])).toBeGreaterThan(0);
    // The bar's lore part is drawn, in proportion to the budget.
    const bar = (await page.locator("#token-bar").boundingBox())!;
    const lorePart = (await page.locator("#token-bar .part.sec-lore").boundingBox())!;
    expect(lorePart.width).toBeGreaterThan(0);
    expect(lorePart.width).toBeLessThan(bar.width);
    expect(await page.locator("#token-bar").getAttribute("aria-label")).toMatch(/^\d+ of \d+ tokens: system \d+, lore [1-9]\d*, /);
    const roles = await page.locator("#context-messages > li .role").allTextContents();
    expect(roles.at(-1)?.toLowerCase()).toBe("user");
    expect(await page.locator("#context-messages > li").last().locator(".content").textContent()).toBe("Do you sell moonstone rings?");
    expect(await page.locator("#context-messages .content", { hasText: MOONSTONE }).count()).toBe(1);
    // Nothing fits sideways: no horizontal scrolling, even on a phone, with the panel and the prompt shown.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: join(tmpdir(), `playground-lore-${viewport.width}.png`), fullPage: true });

    // Send: the reply arrives, and the prompt shown (no longer the next one) closes.
    await page.click("#send");
    const reply = page.locator("#messages > li.assistant");
    await expect.poll(() => reply.locator(".meta").count(), { timeout: 15_000 }).toBe(1);
    expect(await reply.locator(".text").textContent()).toContain('You said: "Do you sell moonstone rings?"');
    expect(await page.locator("#context").isVisible()).toBe(false);

    // Detach, then attach it again from the other lorebooks.
    await page.getByRole("button", { name: "Detach Gems" }).click();
    await expect.poll(() => page.getByText("No lorebook attached.").isVisible()).toBe(true);
    expect(await visibleText(page, "#lore-status")).toBe("Detached Gems");
    expect((await admin.getCharacter(characterId)).lorebook_ids).toEqual([]);
    await page.selectOption("#lore-others", { label: "Gems (2)" });
    await page.getByRole("button", { name: "Attach", exact: true }).click();
    await expect.poll(() => page.locator("#lorebooks summary").allTextContents()).toEqual(["Gems 2 entries"]);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
    await page.close();
  });

  it("says why a chat key cannot upload, and why a preview needs a message", async () => {
    const page = await openTab({ width: 390, height: 844 }, keys.chat, "playground-lore-chat-key", "assistant");
    await page.setInputFiles("#lore-file", worldFile());
    await expect.poll(() => visibleText(page, "#lore-status"), { timeout: 15_000 }).toBe("FORBIDDEN: This operation needs an API key with the admin scope");
    await page.getByRole("button", { name: "Context" }).click();
    await expect.poll(() => visibleText(page, "#context-note")).toBe("Type a message to see the prompt it would be sent in.");
    expect(await page.locator("#context-body").isVisible()).toBe(false);
    await page.close();
  });
});
