import { describe, expect, it } from "vitest";
import { api, send } from "../support/api";
import { regenerate } from "../support/branches";
import { llmRequestWith } from "../support/cards";
import { env } from "../support/env";
import { addMemory, factsOf, listMemories, settledAfter } from "../support/memory";

const CHARACTER = "assistant";
const fresh = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
const systemOf = async (marker: string) => (await llmRequestWith(marker)).messages[0]!.content;

describe("memory in turns", () => {
  it("puts a user's pinned fact in every new session's prompt for that user, never another user's", async () => {
    const [u, v] = [fresh("user-u"), fresh("user-v")];
    const pinned = await addMemory({ character_id: CHARACTER, user_id: u, content: "Sam is allergic to peanuts." });
    expect(pinned.status).toBe(201);

    const mine = await send({ message: "What should I cook? [[pin-u]]", session_id: fresh("s"), context: { user_id: u } });
    expect(mine.status).toBe(200);
    expect(await systemOf("[[pin-u]]")).toContain("- Sam is allergic to peanuts.");
    expect(mine.json.metadata.memories).toContainEqual({ id: pinned.json.id, kind: "pinned", score: null });

    await send({ message: "What should I cook? [[pin-v]]", session_id: fresh("s"), context: { user_id: v } });
    expect(await systemOf("[[pin-v]]")).not.toContain("peanuts");
  });

  it("extracts a fact in one session and recalls it in another session of the same user", async () => {
    const u = fresh("user-recall");
    const first = await send({ message: "My favourite colour is teal. Hello!", session_id: fresh("s"), context: { user_id: u } });
    await settledAfter(CHARACTER, u, first.json.message_id);
    expect(await factsOf(CHARACTER, u)).toEqual(["My favourite colour is teal."]);

    const second = await send({ message: "Which colour do I like? [[recall]]", session_id: fresh("s"), context: { user_id: u } });
    expect(await systemOf("[[recall]]")).toContain("- My favourite colour is teal.");
    expect(second.json.metadata.memories.some((m: { kind: string; score: number }) => m.kind === "fact" && m.score > 0)).toBe(true);
  });

  it("updates and deletes facts as the user's words change them", async () => {
    const u = fresh("user-ops");
    const session = fresh("s");
    const said = async (message: string) => settledAfter(CHARACTER, u, (await send({ message, session_id: session, context: { user_id: u } })).json.message_id);
    await said("My name is Sam. I live in Oslo.");
    await said("My name is Samantha, actually.");
    expect(await factsOf(CHARACTER, u)).toEqual(["My name is Samantha, actually.", "I live in Oslo."]);
    await said("Forget that I live in Oslo.");
    expect(await factsOf(CHARACTER, u)).toEqual(["My name is Samantha, actually."]);
  });

  it("withdraws what a regenerated reply's exchange produced, and reads the exchange again with the new reply", async () => {
    const u = fresh("user-regen");
    const session = fresh("s");
    const reply = await send({ message: "I have a dog named Rex.", session_id: session, context: { user_id: u } });
    await settledAfter(CHARACTER, u, reply.json.message_id);
    expect(await factsOf(CHARACTER, u)).toEqual(["I have a dog named Rex."]);

    const again = await regenerate(session, reply.json.message_id, { context: { user_id: u } });
    expect(again.status).toBe(200);
    await settledAfter(CHARACTER, u, again.json.message_id);
    // The same user message with the new reply: the fact is extracted once more, not twice.
    expect(await factsOf(CHARACTER, u)).toEqual(["I have a dog named Rex."]);
    const kept = await listMemories({ character_id: CHARACTER, user_id: u, kind: "message" });
    const sources = kept.json.memories.flatMap((m: { source_message_ids: string[] }) => m.source_message_ids);
    expect(sources).toContain(again.json.message_id);
    expect(sources).not.toContain(reply.json.message_id);
  });

  it("forgets what a session produced when its history is cleared, and keeps the user's pinned facts", async () => {
    const u = fresh("user-clear");
    const session = fresh("s");
    await addMemory({ character_id: CHARACTER, user_id: u, content: "Prefers short answers." });
    const reply = await send({ message: "I work as a nurse.", session_id: session, context: { user_id: u } });
    await settledAfter(CHARACTER, u, reply.json.message_id);
    expect(await factsOf(CHARACTER, u)).toEqual(["Prefers short answers.", "I work as a nurse."]);

    expect((await api("DELETE", `/api/v1/chat/history/${session}`)).status).toBe(200);
    expect(await factsOf(CHARACTER, u)).toEqual(["Prefers short answers."]);
    const kept = await listMemories({ character_id: CHARACTER, user_id: u, kind: "message" });
    expect(kept.json.total).toBe(0);
  });

  it("ignores an extraction answer that is not JSON: the reply stands, nothing is stored", async () => {
    const u = fresh("user-garbage");
    const reply = await send({ message: "I love sailing. [[garbage-facts]]", session_id: fresh("s"), context: { user_id: u } });
    expect(reply.status).toBe(200);
    await settledAfter(CHARACTER, u, reply.json.message_id);
    expect(await factsOf(CHARACTER, u)).toEqual([]);
  });

  it("keeps a session without a user_id in a memory of its own", async () => {
    const session = fresh("s");
    const reply = await send({ message: "I collect stamps.", session_id: session });
    const deadline = Date.now() + 15_000;
    let facts: string[] = [];
    while (Date.now() < deadline && facts.length === 0) {
      const listed = await listMemories({ character_id: CHARACTER, session_id: session });
      facts = listed.json.memories.map((m: { content: string }) => m.content);
      if (facts.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(reply.status).toBe(200);
    expect(facts).toEqual(["I collect stamps."]);
  });

  it("answers without recall when the embeddings provider fails, and the context preview says so", async () => {
    const u = fresh("user-down");
    await addMemory({ character_id: CHARACTER, user_id: u, content: "Lives on a boat." });
    const session = fresh("s");
    const reply = await send({ message: "Tell me a story [[embed-fail]] [[down]]", session_id: session, context: { user_id: u } });
    expect(reply.status).toBe(200);
    // Pinned facts need no embeddings: they are still there.
    expect(await systemOf("[[down]]")).toContain("- Lives on a boat.");
    const preview = await api("POST", `/api/v1/chat/sessions/${session}/context`, {
      body: { character_id: CHARACTER, message: "Another one [[embed-fail]]", user_id: u },
    });
    expect(preview.status).toBe(200);
    expect(preview.json.memory_degraded).toMatch(/embeddings provider failed/);
    expect(preview.json.memories.map((m: { content: string }) => m.content)).toEqual(["Lives on a boat."]);
  });

  it("recalls at most 8 items, and shows extraction only the known facts most like the exchange", async () => {
    const u = fresh("user-many");
    for (let i = 0; i < 30; i++) await addMemory({ character_id: CHARACTER, user_id: u, content: `I visited town number ${i} on a trip.`, pinned: false });
    const reply = await send({ message: "I own a green kayak. [[many]]", session_id: fresh("s"), context: { user_id: u } });
    expect(reply.json.metadata.memories).toHaveLength(8);
    await settledAfter(CHARACTER, u, reply.json.message_id);
    const requests = (await (await fetch(`${env.LLM_BASE_URL!.replace(/\/v1$/, "")}/__emulator/requests`)).json()) as { messages: { content: string }[] }[];
    const extraction = requests.reverse().find((r) => r.messages[0]!.content.includes("durable facts") && r.messages[1]!.content.includes("[[many]]"))!;
    expect(extraction.messages[1]!.content.match(/^\[f\d+\]/gm)).toHaveLength(24);
    expect(await factsOf(CHARACTER, u)).toContain("I own a green kayak.");
  });

  it("binds a session to its end user, and refuses an over-long user_id, storing nothing", async () => {
    const session = fresh("s");
    expect((await send({ message: "Hi", session_id: session, context: { user_id: "x".repeat(129) } })).status).toBe(400);
    expect((await api("GET", `/api/v1/chat/history/${session}`)).status).toBe(404);
    expect((await send({ message: "Hi", session_id: session, context: { user_id: "first" } })).status).toBe(200);
    const other = await send({ message: "Hi again", session_id: session, context: { user_id: "second" } });
    expect(other.status).toBe(400);
    expect(other.json.error.message).toMatch(/another end user/);
    const history = await api("GET", `/api/v1/chat/history/${session}`);
    expect(history.json.total_count).toBe(2);
  });
});
