import { describe, expect, it } from "vitest";
import { ADMIN_KEY, send } from "../support/api";
import { edit, remove, select } from "../support/branches";
import { llmRequestWith } from "../support/cards";
import { addMemory, factsOf, listMemories, settledAfter } from "../support/memory";
import { connect, ofType } from "../support/ws";

const CHARACTER = "assistant";
const fresh = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;

describe("memory follows the conversation tree", () => {
  it("withdraws a deleted exchange's facts, and brings a swiped-away exchange's facts back when it is selected again", async () => {
    const u = fresh("user-tree");
    const session = fresh("s");
    const first = await send({ message: "I speak Italian.", session_id: session, context: { user_id: u } });
    await settledAfter(CHARACTER, u, first.json.message_id);
    const second = await send({ message: "I am a pilot.", session_id: session, context: { user_id: u } });
    await settledAfter(CHARACTER, u, second.json.message_id);
    expect(await factsOf(CHARACTER, u)).toEqual(["I speak Italian.", "I am a pilot."]);

    // Editing the first message (without a reply) moves the branch off both exchanges.
    const edited = await edit(session, first.json.user_message_id, "Hello.", { regenerate: false });
    expect(edited.status).toBe(200);
    await expect.poll(() => factsOf(CHARACTER, u), { timeout: 10_000 }).toEqual([]);

    // Selecting the old reply brings both exchanges back: they are read again.
    expect((await select(session, second.json.message_id)).status).toBe(200);
    await expect.poll(() => factsOf(CHARACTER, u), { timeout: 10_000 }).toEqual(["I speak Italian.", "I am a pilot."]);

    expect((await remove(session, second.json.user_message_id)).status).toBe(200);
    await expect.poll(() => factsOf(CHARACTER, u), { timeout: 10_000 }).toEqual(["I speak Italian."]);
    const kept = await listMemories({ character_id: CHARACTER, user_id: u, kind: "message" });
    expect(kept.json.memories.map((m: { content: string }) => m.content)).not.toContain("I am a pilot.");
  });

  it("honours metadata.user_id over WebSocket", async () => {
    const u = fresh("user-ws");
    const session = fresh("s");
    await addMemory({ character_id: CHARACTER, user_id: u, content: "Is learning the cello." });
    const socket = await connect(`?session_id=${session}`);
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: session });
    await socket.next(ofType("authenticated"));
    socket.send({ type: "message", content: "What am I learning? [[ws-memory]]", metadata: { user_id: u } });
    const reply = await socket.next(ofType("response"));
    expect(reply.metadata.memories).toHaveLength(1);
    expect((await llmRequestWith("[[ws-memory]]")).messages[0]!.content).toContain("- Is learning the cello.");
    socket.send({ type: "message", content: "Hi", metadata: { user_id: "u".repeat(129) } });
    expect((await socket.next(ofType("error"))).code).toBe("INVALID_REQUEST");
    socket.ws.close();
  });

  it("summarizes what no longer fits the context window, and carries the summary in the prompt", async () => {
    const u = fresh("user-long");
    const session = fresh("s");
    // Each message is about 3,000 tokens: the 8,192-token window holds one or two of them.
    const long = (n: number) => `Chapter ${n}. ${"The caravan crossed the dunes at night. ".repeat(400)}`;
    let last = "";
    for (let n = 1; n <= 5; n++) {
      const reply = await send({ message: long(n), session_id: session, context: { user_id: u } });
      expect(reply.status).toBe(200);
      last = reply.json.message_id;
    }
    await settledAfter(CHARACTER, u, last);
    const summaries = await listMemories({ character_id: CHARACTER, user_id: u, kind: "summary" });
    expect(summaries.json.total).toBeGreaterThan(0);
    expect(summaries.json.memories[0].content).toMatch(/^Summary: /);

    await send({ message: "Where were we? [[after-summary]]", session_id: session, context: { user_id: u } });
    const system = (await llmRequestWith("[[after-summary]]")).messages[0]!.content;
    expect(system).toContain(`What happened earlier in this conversation:\n${summaries.json.memories[0].content}`);
  });
});
