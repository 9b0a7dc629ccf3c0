/**
 * The playground's group chat in headless Chromium, against `npm start`: pick three characters, start a
 * group, send a message naming the second (it answers first), every reply under its speaker's name and
 * face, the announced speakers shown while they type, Next for one more reply, and a failed speaker's
 * error under its name. What the page shows is checked against the frames an SDK socket of the same
 * session heard.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ChatacterClient, type ChatSocket, type ServerFrame } from "../../shared/client/index.js";
import { launchChromium } from "./chromium";

const baseUrl = inject("stackUrl");
const adminKey = inject("stackAdminKey");
const admin = new ChatacterClient(baseUrl, adminKey);
const llmUrl = inject("stackOutput").match(/LLM EMULATOR at (http:\/\/\S+?)\/v1\b/)?.[1];
/**
 * [[hold:TAG]] in a message keeps the first speaker's reply before its last token until this is called
 * (then or later): answers how many streams it let go. One tag per test: memory's extraction prompt,
 * made after a turn, quotes the message and holds too.
 */
const releaseLlm = async (tag: string) =>
  ((await (await fetch(`${llmUrl}/__emulator/release?tag=${tag}`, { method: "POST" })).json()) as { released: number }).released;
const tags: string[] = [];

// Talkativeness 1: everyone answers in `natural`, the one a message names first. Two have faces (the
// seed characters' images), Bramble has none (its initial). Dud's card makes the LLM emulator fail.
const MEMBERS = [
  { id: "pg-group-juniper", name: "Juniper", avatar: "/assets/avatars/creative.png" },
  { id: "pg-group-bramble", name: "Bramble", avatar: null },
  { id: "pg-group-quill", name: "Quill", avatar: "/assets/avatars/assistant.png" },
];
const DUD = { id: "pg-group-dud", name: "Dud", avatar: null };
// A voiced character (speech only): with the seed "creative", a group whose replies both speak.
const VOICED = { id: "pg-group-lark", name: "Lark" };

async function importCard({ id, name, avatar }: { id: string; name: string; avatar: string | null }, description: string) {
  const card = { spec: "chara_card_v2", spec_version: "2.0", data: { name, description, extensions: { talkativeness: 1 } } };
  const res = await fetch(`${baseUrl}/api/v1/characters/import?id=${id}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify(card),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  if (avatar) await admin.updateCharacter(id, { avatar_url: avatar });
}

let browser: Browser;
beforeAll(async () => {
  expect(llmUrl, "the stack runs the LLM emulator").toBeDefined();
  // Dud first: the picker lists characters oldest first, and `list` speaks in that order.
  await importCard(DUD, "Never answers. [[fail]]");
  for (const member of MEMBERS) await importCard(member, `${member.name} tends a garden.`);
  await admin.createCharacter({ ...VOICED, description: "A lark who sings.", capabilities: ["text", "voice"] });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const tag of tags) await releaseLlm(tag).catch(() => undefined);
  await browser?.close();
});

/** The playground connected to a new session, with these characters ticked in the group picker and the group started. */
async function startGroup(viewport: { width: number; height: number }, ids: string[], strategy = "natural"): Promise<{ page: Page; sessionId: string }> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${baseUrl}/`);
  await page.fill("#api-key", adminKey);
  await page.fill("#session", "");
  await page.click("#connect");
  await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toContain("Connected");
  const single = await page.inputValue("#session");
  // A one-character session shows nothing of groups.
  expect(await page.isHidden("#next")).toBe(true);
  expect(await page.isHidden("#group-bar")).toBe(true);

  await page.click("#group summary");
  expect(await page.isDisabled("#group-create"), "a group needs two characters").toBe(true);
  for (const id of ids) await page.check(`#group-members input[value="${id}"]`);
  await page.selectOption("#group-strategy", strategy);
  await page.click("#group-create");
  await expect.poll(() => page.inputValue("#session"), { timeout: 15_000 }).not.toBe(single);
  const sessionId = await page.inputValue("#session");
  await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toBe(`Connected to session ${sessionId}`);
  await expect.poll(() => page.isVisible("#next")).toBe(true);
  return { page, sessionId };
}

/** Every frame the session sends, heard by the SDK on a socket of its own: what the page was sent. */
async function listen(sessionId: string): Promise<{ socket: ChatSocket; frames: ServerFrame[] }> {
  const socket = admin.connect({ sessionId });
  const frames: ServerFrame[] = [];
  for (const type of ["user_message", "typing", "response", "error"] as const) socket.on(type, (frame) => frames.push(frame));
  await socket.ready;
  return { socket, frames };
}

/** What a bubble says of its speaker: its name, and its face (an image's source and whether it loaded, or an initial). */
async function speakerOf(li: Locator) {
  const image = li.locator(":scope > .speaker > img.avatar");
  const initial = li.locator(":scope > .speaker > .avatar.initial");
  const hasImage = (await image.count()) > 0;
  return {
    character: await li.getAttribute("data-character"),
    name: await li.locator(":scope > .speaker .speaker-name").textContent(),
    image: hasImage ? new URL((await image.getAttribute("src"))!, baseUrl).pathname : null,
    loaded: hasImage ? await image.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth > 0) : null,
    initial: (await initial.count()) > 0 ? await initial.textContent() : null,
  };
}

/** An attribute of every element a locator finds. */
const attributes = (items: Locator, name: string) => items.evaluateAll((all, attribute) => all.map((item) => item.getAttribute(attribute)), name);

const expectedSpeaker = (id: string) => {
  const member = [...MEMBERS, DUD].find((m) => m.id === id)!;
  return { character: id, name: member.name, image: member.avatar, loaded: member.avatar ? true : null, initial: member.avatar ? null : member.name[0] };
};

const responses = (frames: ServerFrame[]) => frames.filter((f): f is Extract<ServerFrame, { type: "response" }> => f.type === "response");

describe("the playground's group chat in headless Chromium", () => {
  it.each([
    ["a laptop", { width: 1280, height: 800 }],
    ["a phone", { width: 390, height: 844 }],
  ])("starts a group of three on %s, answers a message naming the second first, each reply under its speaker, and Next adds one", async (_, viewport) => {
    const { page, sessionId } = await startGroup(
      viewport,
      MEMBERS.map((m) => m.id),
    );
    expect(await page.textContent("#group-status")).toBe("Juniper, Bramble, Quill (natural)");
    const { socket, frames } = await listen(sessionId);

    // The second member, named: it answers first. Its reply is held, so the speakers show while it types.
    const tag = `pg-group-${viewport.width}`;
    tags.push(tag);
    await page.fill("#input", `Bramble, what grows best in the shade? [[hold:${tag}]]`);
    await page.click("#send");
    await expect.poll(() => frames.find((f) => f.type === "user_message"), { timeout: 15_000 }).toBeDefined();
    const announced = frames.find((f) => f.type === "user_message");
    const speakers = (announced?.type === "user_message" && announced.speakers) || [];
    expect(speakers[0]).toBe(MEMBERS[1]!.id);
    expect([...speakers].sort()).toEqual(MEMBERS.map((m) => m.id).sort());
    const strip = page.locator("#turn-speakers li");
    await expect
      .poll(() => strip.evaluateAll((items) => items.map((li) => [li.getAttribute("data-character"), li.className])), { timeout: 15_000 })
      .toEqual([
        [speakers[0], "turn-speaker typing"],
        [speakers[1], "turn-speaker waiting"],
        [speakers[2], "turn-speaker waiting"],
      ]);
    expect(await page.isVisible("#turn-speakers"), "the speakers show while they answer").toBe(true);
    const names = speakers.map((id) => MEMBERS.find((m) => m.id === id)!.name);
    expect(await strip.locator(".speaker-name").allTextContents()).toEqual(names);
    expect(await page.textContent("#status")).toBe(`Bramble is typing… (then ${names.slice(1).join(", ")})`);
    expect(await page.isEnabled("#cancel")).toBe(true);
    expect(await page.isDisabled("#next"), "no Next while the group answers").toBe(true);
    // Let the reply go once it has reached its hold (it may still be streaming towards it).
    await expect.poll(() => releaseLlm(tag), { timeout: 15_000 }).toBe(1);

    // Every reply, in the order spoken, under its speaker's name and face.
    await expect.poll(() => responses(frames).length, { timeout: 30_000 }).toBe(speakers.length);
    const replies = page.locator("#messages li.assistant");
    await expect.poll(() => replies.count(), { timeout: 15_000 }).toBe(speakers.length);
    expect(await attributes(replies, "data-id")).toEqual(responses(frames).map((r) => r.message_id));
    for (const [i, id] of speakers.entries()) {
      await expect.poll(() => speakerOf(replies.nth(i)), { timeout: 10_000 }).toEqual(expectedSpeaker(id));
      expect(await replies.nth(i).locator(".text").textContent()).toBe(responses(frames)[i]!.content);
    }
    // The turn is over: the speakers' strip goes, and Next comes back.
    await expect.poll(() => page.isHidden("#turn-speakers"), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.isEnabled("#next"), { timeout: 10_000 }).toBe(true);
    expect(await page.locator("#messages li.user .speaker").count(), "the user's message has no speaker").toBe(0);

    // Next: one character speaks with no message (not the last speaker, in `natural`).
    await page.click("#next");
    await expect.poll(() => replies.count(), { timeout: 30_000 }).toBe(speakers.length + 1);
    await expect.poll(() => responses(frames).length, { timeout: 15_000 }).toBe(speakers.length + 1);
    const next = responses(frames).at(-1)!;
    expect(next.character_id).not.toBe(speakers.at(-1));
    expect(await replies.last().getAttribute("data-id")).toBe(next.message_id);
    await expect.poll(() => speakerOf(replies.last()), { timeout: 10_000 }).toEqual(expectedSpeaker(next.character_id));
    expect(frames.filter((f) => f.type === "user_message")).toHaveLength(1);

    // Drawn again from history, every reply keeps its speaker.
    await page.click("#load-history");
    await expect.poll(() => page.textContent("#status"), { timeout: 15_000 }).toBe(`${speakers.length + 2} messages`);
    const drawn = await attributes(replies, "data-character");
    expect(drawn).toEqual([...speakers, next.character_id]);

    // The page fits the viewport: no sideways scrolling on a phone.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: join(tmpdir(), `playground-group-${viewport.width}.png`), fullPage: true });
    socket.close();
    await page.close();
  });

  it("speaks a group's voiced replies one after another, each whole, the next where the last one ends", async () => {
    const { page, sessionId } = await startGroup({ width: 1280, height: 800 }, [VOICED.id, "creative"], "list");
    const { socket, frames } = await listen(sessionId);
    expect(await page.isChecked("#media")).toBe(true);
    await page.fill("#input", "Good morning.");
    await page.click("#send");

    await expect.poll(() => responses(frames).length, { timeout: 30_000 }).toBe(2);
    const [first, second] = responses(frames).map((r) => page.locator(`#messages li.assistant[data-id="${r.message_id}"]`));
    // Both are voiced on the server at once; the page plays the first to its end, then the second.
    await expect.poll(() => first!.getAttribute("data-voice-state"), { timeout: 60_000 }).toBe("spoken");
    await expect.poll(() => second!.getAttribute("data-voice-state"), { timeout: 60_000 }).toBe("spoken");
    const schedule = async (li: Locator) => JSON.parse((await li.getAttribute("data-voice-schedule")) ?? "[]") as [number, number, number][];
    const [a, b] = [await schedule(first!), await schedule(second!)];
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    const end = (chunks: [number, number, number][]) => chunks.at(-1)![1] + chunks.at(-1)![2];
    expect(b[0]![1], "the second reply starts once the first has ended").toBeGreaterThanOrEqual(end(a) - 0.001);
    for (const chunks of [a, b]) {
      expect(chunks.map(([seq]) => seq)).toEqual(chunks.map((_, i) => i));
      for (let i = 1; i < chunks.length; i++) expect(chunks[i]![1]).toBeGreaterThanOrEqual(chunks[i - 1]![1] + chunks[i - 1]![2] - 0.001);
    }
    socket.close();
    await page.close();
  }, 120_000);

  it("shows a failed speaker's error under its name, and the next speaker still answers", async () => {
    const { page, sessionId } = await startGroup({ width: 1280, height: 800 }, [DUD.id, MEMBERS[2]!.id], "list");
    const { socket, frames } = await listen(sessionId);
    await page.fill("#input", "Good evening, both of you.");
    await page.click("#send");

    await expect.poll(() => responses(frames).length, { timeout: 30_000 }).toBe(1);
    const failure = page.locator("#messages li.error");
    await expect.poll(() => failure.count(), { timeout: 15_000 }).toBe(1);
    expect(await speakerOf(failure)).toEqual(expectedSpeaker(DUD.id));
    expect(await failure.locator(".text").textContent()).toMatch(/^SERVICE_UNAVAILABLE: Dud could not answer/);
    // Quill answered after it, under its own name.
    const reply = page.locator("#messages li.assistant");
    await expect.poll(() => reply.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => speakerOf(reply), { timeout: 10_000 }).toEqual(expectedSpeaker(MEMBERS[2]!.id));
    // `list`: the members' order, as the picker lists them (oldest first): Dud failed, then Quill answered.
    const announced = frames.find((f) => f.type === "user_message");
    expect(announced?.type === "user_message" && announced.speakers).toEqual([DUD.id, MEMBERS[2]!.id]);
    expect(await page.locator("#messages > li").evaluateAll((items) => items.map((li) => li.className))).toEqual(["user", "error", "assistant"]);
    await expect.poll(() => page.isEnabled("#next"), { timeout: 10_000 }).toBe(true);
    socket.close();
    await page.close();
  });
});
