import { beforeAll, describe, expect, inject, it } from "vitest";
import { ChatacterClient, ChatacterError, type MemoryScope } from "../../shared/client/index.js";

// Memory through the SDK against `npm start` (CHARACTER-ENGINE.md §3): what the LLM (the stack's emulator)
// was sent for a turn, and what the replies and the memory routes say.
const baseUrl = inject("stackUrl");
const admin = new ChatacterClient(baseUrl, inject("stackAdminKey"));
// `npm start` says where its LLM emulator listens; the emulator records every request it gets.
const llmUrl = inject("stackOutput").match(/LLM EMULATOR at (http:\/\/\S+?)\/v1\b/)?.[1];

type Prompt = { role: string; content: string }[];

/**
 * The messages of the newest turn that sent `message`, as the LLM got them: a turn's request ends with the
 * user's message as it was sent. The background requests that read the exchange afterwards (extraction,
 * summary) quote it inside a longer text, so they are not taken for the turn.
 */
async function promptOf(message: string): Promise<Prompt> {
  const requests = (await (await fetch(`${llmUrl}/__emulator/requests`)).json()) as { messages: Prompt }[];
  const found = requests.reverse().find((r) => {
    const last = r.messages.at(-1);
    return last?.role === "user" && last.content === message;
  });
  if (!found) throw new Error(`the LLM got no turn sending ${message}`);
  return found.messages;
}

const systemText = (prompt: Prompt) =>
  prompt
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n");
const text = (prompt: Prompt) => prompt.map((m) => m.content).join("\n");

/** The ChatacterError `run` rejects with (fails when it resolves). */
async function failure(run: () => Promise<unknown>): Promise<ChatacterError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatacterError);
  return error as ChatacterError;
}

let client: ChatacterClient;
beforeAll(async () => {
  expect(llmUrl, "npm start names its LLM emulator").toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  // Chat with a key of its own, as an app would: memory is kept per key.
  client = new ChatacterClient(baseUrl, (await admin.createKey("memories e2e")).key);
});

/** A character of the test's own, so no other file's turns or memories meet it. */
async function character(id: string): Promise<string> {
  await admin.createCharacter({ id, name: "Wren", description: "A lighthouse keeper who listens." });
  return id;
}

/** Sends `message` over HTTP; answers the reply and the prompt the LLM got for it. */
async function turn(message: string, options: { characterId: string; sessionId: string; userId?: string }) {
  const reply = await client.sendMessage(message, options);
  return { reply, prompt: await promptOf(message) };
}

const pinnedUse = (id: string) => ({ id, kind: "pinned", score: null });

describe("memory through the SDK, against npm start", () => {
  it("puts a user's pinned fact in the system prompt of a new session with that user, never another user's", async () => {
    const characterId = await character("mem-sdk-pinned");
    const content = "Sam keeps a lighthouse on the isle of Vell.";
    const fact = await client.memories.create({ characterId, userId: "mem-user-u", content });
    expect(fact).toMatchObject({
      id: expect.stringMatching(/^mem_/),
      character_id: characterId,
      user_id: "mem-user-u",
      session_id: null,
      kind: "pinned",
      content,
      pinned: true,
    });

    // A session that has never been used, over HTTP: the fact is in its system prompt, and the reply names it.
    const first = await turn("Where do I live? [[mem-a1]]", { characterId, sessionId: "mem-a-new-u", userId: "mem-user-u" });
    expect(systemText(first.prompt)).toContain(content);
    expect(first.reply.metadata.memories).toContainEqual(pinnedUse(fact.id));
    // A swipe of that reply, with the user named again.
    const swipe = await client.regenerate("mem-a-new-u", first.reply.message_id, { userId: "mem-user-u" });
    expect(systemText(await promptOf("Where do I live? [[mem-a1]]"))).toContain(content);
    expect(swipe.metadata.memories).toContainEqual(pinnedUse(fact.id));

    // As Server-Sent Events, in another new session: the same.
    let streamed: unknown;
    for await (const event of client.streamMessage("And who am I? [[mem-a2]]", { characterId, sessionId: "mem-a-stream-u", userId: "mem-user-u" })) {
      if (event.type === "response") streamed = event.metadata.memories;
    }
    expect(systemText(await promptOf("And who am I? [[mem-a2]]"))).toContain(content);
    expect(streamed).toContainEqual(pinnedUse(fact.id));

    // The preview of a new session shows it with its text and tokens.
    const preview = await client.contextPreview("mem-a-preview-u", { characterId, message: "Hello [[mem-a3]]", userId: "mem-user-u" });
    expect(preview.memories).toContainEqual({ ...pinnedUse(fact.id), content, pinned: true, tokens: expect.any(Number) });
    expect(preview.tokens.sections.memory).toBeGreaterThan(0);

    // Another user with the same character, and the same person without a user id: neither gets it.
    const other = await turn("Where do I live? [[mem-a4]]", { characterId, sessionId: "mem-a-new-v", userId: "mem-user-v" });
    expect(text(other.prompt)).not.toContain(content);
    expect(other.reply.metadata.memories ?? []).not.toContainEqual(expect.objectContaining({ id: fact.id }));
    const anonymous = await turn("Where do I live? [[mem-a5]]", { characterId, sessionId: "mem-a-anonymous" });
    expect(text(anonymous.prompt)).not.toContain(content);
    const otherPreview = await client.contextPreview("mem-a-preview-v", { characterId, message: "Hello", userId: "mem-user-v" });
    expect(otherPreview.memories).not.toContainEqual(expect.objectContaining({ id: fact.id }));
  });

  it("extracts a fact said in one session and brings it to the next session's prompt", async () => {
    const characterId = await character("mem-sdk-extract");
    const scope: MemoryScope = { characterId, userId: "mem-user-teal" };
    await turn("My favourite colour is teal. Nice to meet you! [[mem-b1]]", { ...scope, sessionId: "mem-b-session-1" });

    // Extraction runs in the background after the reply: poll until the fact is there.
    const facts = async () => (await client.memories.list({ ...scope, kind: "fact" })).memories;
    await expect.poll(async () => (await facts()).map((m) => m.content), { timeout: 20_000, interval: 250 }).toContain("My favourite colour is teal.");
    const fact = (await facts()).find((m) => m.content === "My favourite colour is teal.")!;
    expect(fact).toMatchObject({ kind: "fact", pinned: false, user_id: "mem-user-teal", session_id: "mem-b-session-1", character_id: characterId });
    expect(fact.source_message_ids.length).toBeGreaterThan(0);

    const next = await turn("What is my favourite colour? [[mem-b2]]", { ...scope, sessionId: "mem-b-session-2" });
    expect(systemText(next.prompt)).toContain(fact.content);
    expect(next.reply.metadata.memories).toContainEqual(expect.objectContaining({ id: fact.id, kind: "fact" }));
  });

  it("creates, lists, searches, updates and removes memories, each key its own, and refuses bad input", async () => {
    const characterId = await character("mem-sdk-crud");
    const scope: MemoryScope = { characterId, userId: "mem-user-crud" };
    const cat = await client.memories.create({ ...scope, content: "Sam's cat is called Miso and hates thunderstorms." });
    const boat = await client.memories.create({ ...scope, content: "Sam rows a small blue boat to the harbor every morning.", pinned: false });
    expect(cat).toMatchObject({ kind: "pinned", pinned: true });
    expect(boat).toMatchObject({ pinned: false, kind: "fact" });

    const listed = await client.memories.list(scope);
    expect(listed.memories.map((m) => m.id).sort()).toEqual([cat.id, boat.id].sort());
    expect(listed).toMatchObject({ total: 2, limit: 50, offset: 0, has_more: false });
    expect((await client.memories.list({ ...scope, kind: "pinned" })).memories.map((m) => m.id)).toEqual([cat.id]);
    const page = await client.memories.list({ ...scope, limit: 1 });
    expect(page).toMatchObject({ total: 2, limit: 1, has_more: true });
    expect(page.memories).toHaveLength(1);
    expect((await client.memories.list({ ...scope, limit: 1, offset: 1 })).memories).toHaveLength(1);
    // Another user of the same key and character has none of them.
    expect((await client.memories.list({ characterId, userId: "mem-user-crud-2" })).memories).toEqual([]);

    const unpinned = await client.memories.update(cat.id, { pinned: false });
    expect(unpinned).toMatchObject({ id: cat.id, pinned: false });
    expect((await client.memories.update(cat.id, { pinned: true })).pinned).toBe(true);
    const edited = await client.memories.update(cat.id, { content: "Sam's cat is called Miso and sleeps through thunderstorms." });
    expect(edited).toMatchObject({ id: cat.id, content: "Sam's cat is called Miso and sleeps through thunderstorms.", pinned: true });

    const hits = await client.memories.search({ ...scope, q: "What is the cat called?" });
    expect(hits.memories[0]).toMatchObject({ id: cat.id, score: expect.any(Number) });
    expect(hits.memories[0]).toHaveProperty("vector_score");
    expect(hits.memories[0]).toHaveProperty("text_score");
    const scores = hits.memories.map((m) => m.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect((await client.memories.search({ ...scope, q: "boat harbor rowing" })).memories[0]?.id).toBe(boat.id);

    // Another key neither sees nor changes them: their ids are NOT_FOUND to it.
    const stranger = new ChatacterClient(baseUrl, (await admin.createKey("memories e2e stranger")).key);
    expect((await stranger.memories.list(scope)).memories).toEqual([]);
    for (const run of [() => stranger.memories.update(cat.id, { pinned: false }), () => stranger.memories.remove(cat.id)]) {
      expect(await failure(run)).toMatchObject({ code: "NOT_FOUND", status: 404 });
    }
    expect((await client.memories.list(scope)).memories.find((m) => m.id === cat.id)).toMatchObject({ pinned: true });

    expect(await client.memories.remove(boat.id)).toEqual({ id: boat.id, deleted: true });
    expect((await client.memories.list(scope)).memories.map((m) => m.id)).toEqual([cat.id]);
    expect(await failure(() => client.memories.remove(boat.id))).toMatchObject({ code: "NOT_FOUND", status: 404 });
    expect(await failure(() => client.memories.update(boat.id, { content: "back" }))).toMatchObject({ code: "NOT_FOUND", status: 404 });

    // Bad input is INVALID_REQUEST, whichever route it reaches.
    const longUser = "u".repeat(129);
    const invalid = [
      () => client.memories.create({ characterId, userId: longUser, content: "Too long a user id." }),
      () => client.memories.list({ characterId, userId: longUser }),
      () => client.sendMessage("Hello [[mem-c1]]", { characterId, userId: longUser }),
      () => client.memories.create({ ...scope, content: "x".repeat(2001) }),
      () => client.memories.update(cat.id, { content: "x".repeat(2001) }),
      // Both scopes at once: the SDK's types forbid it, the API refuses it.
      () => client.memories.create({ characterId, userId: "mem-user-crud", sessionId: "mem-c-session", content: "Both." } as never),
      () => client.memories.list({ characterId, userId: "mem-user-crud", sessionId: "mem-c-session" } as never),
    ];
    for (const run of invalid) expect(await failure(run)).toMatchObject({ code: "INVALID_REQUEST", status: 400 });
    expect((await client.memories.list(scope)).total).toBe(1);
  });

  it("keeps the memory of a session without a user for that session", async () => {
    const characterId = await character("mem-sdk-session");
    const content = "This session is about the storm of last winter.";
    // What the app writes has no source session (`session_id` null) whatever its scope.
    const note = await client.memories.create({ characterId, sessionId: "mem-s-1", content });
    expect(note).toMatchObject({ user_id: null, kind: "pinned", content });
    expect(systemText((await turn("Tell me more. [[mem-s1]]", { characterId, sessionId: "mem-s-1" })).prompt)).toContain(content);
    expect(text((await turn("Tell me more. [[mem-s2]]", { characterId, sessionId: "mem-s-2" })).prompt)).not.toContain(content);
    expect((await client.memories.list({ characterId, sessionId: "mem-s-1" })).memories.map((m) => m.id)).toEqual([note.id]);
    expect((await client.memories.list({ characterId, sessionId: "mem-s-2" })).memories.map((m) => m.id)).not.toContain(note.id);
  });

  it("honours metadata.user_id over the WebSocket, for a message and a regenerate", async () => {
    const characterId = await character("mem-sdk-socket");
    const content = "Sam is afraid of the dark but loves lighthouses.";
    const fact = await client.memories.create({ characterId, userId: "mem-user-ws", content });
    const socket = client.connect({ sessionId: "mem-d-socket" });
    try {
      await socket.ready;
      const message = "What do you know about me? [[mem-d1]]";
      const reply = await socket.send(message, { characterId, userId: "mem-user-ws" });
      expect(systemText(await promptOf(message))).toContain(content);
      expect(reply.metadata.memories).toContainEqual(pinnedUse(fact.id));

      const swipe = await socket.regenerate(reply.message_id, { userId: "mem-user-ws" });
      expect(systemText(await promptOf(message))).toContain(content);
      expect(swipe.metadata.memories).toContainEqual(pinnedUse(fact.id));
    } finally {
      socket.close();
    }
  });
});
