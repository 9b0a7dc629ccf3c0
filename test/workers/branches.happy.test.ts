import { describe, expect, it } from "vitest";
import { api, createKey, send } from "../support/api";
import { whilePumping } from "../support/media";
import { activeBranch, continueReply, edit, fork, regenerate, remove, select, siblings } from "../support/branches";

/** A session of `turns` user/assistant pairs; answers the ids in order. */
async function conversation(sessionId: string, turns: number, key?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < turns; i++) {
    const res = await send({ message: `turn ${i}`, session_id: sessionId }, key);
    expect(res.status).toBe(200);
    ids.push(res.json.user_message_id, res.json.message_id);
  }
  return ids;
}

describe("regenerate (swipe)", () => {
  it("puts a new reply beside the last one, and the history and the next prompt follow the selected one", async () => {
    const [, first] = await conversation("swipe-last", 1);
    const res = await regenerate("swipe-last", first!);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ session_id: "swipe-last", user_message_id: expect.any(String), sibling_index: 1, sibling_count: 2 });
    expect(res.json.message_id).not.toBe(first);
    expect(res.json.response).toContain('You said: "turn 0"');

    const branch = await activeBranch("swipe-last");
    expect(branch.map((m) => [m.id, m.place])).toEqual([
      [res.json.user_message_id, "1/1"],
      [res.json.message_id, "2/2"],
    ]);
    const listed = await siblings("swipe-last", first!);
    expect(listed.json.siblings.map((m: { id: string }) => m.id)).toEqual([first, res.json.message_id]);
    expect(listed.json.active_index).toBe(1);

    // Swipe back: the old reply is active again, and the next turn's prompt holds it.
    const back = await select("swipe-last", first!);
    expect(back.json).toEqual({ session_id: "swipe-last", active_leaf_id: first, total_count: 2 });
    expect((await siblings("swipe-last", first!)).json.active_index).toBe(0);
    const next = await send({ message: "and now?", session_id: "swipe-last" });
    expect(next.json.response).toContain("I can see 2 earlier messages");
    expect((await activeBranch("swipe-last")).map((m) => m.id).slice(0, 2)).toEqual([res.json.user_message_id, first]);
  });

  it("regenerates a reply deep in the conversation, and going back brings the old path below it", async () => {
    const ids = await conversation("swipe-deep", 3);
    const deep = ids[1]!; // the first reply, with two turns below it
    const res = await regenerate("swipe-deep", deep);
    expect(res.status).toBe(200);
    // Generated from the history above it: the emulator saw no earlier messages.
    expect(res.json.response).toContain("I can see 0 earlier messages");
    expect((await activeBranch("swipe-deep")).map((m) => m.id)).toEqual([ids[0], res.json.message_id]);

    const back = await select("swipe-deep", deep);
    expect(back.json).toMatchObject({ active_leaf_id: ids[5], total_count: 6 });
    expect((await activeBranch("swipe-deep")).map((m) => m.id)).toEqual(ids);
  });

  it("streams a regeneration as Server-Sent Events, ending with the reply and the branch change", async () => {
    const [, first] = await conversation("swipe-sse", 1);
    // The reply is voiced: its stream stays open for the audio, which comes after the text.
    const res = await whilePumping(regenerate("swipe-sse", first!, { stream: true }));
    expect(res.headers.get("Content-Type")).toContain("text/event-stream");
    const events = [...res.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    const text = events.filter((event) => event !== "audio_chunk" && event !== "media");
    expect(text[0]).toBe("typing");
    expect(text).toContain("response_chunk");
    expect(text.slice(-2)).toEqual(["response", "branch"]);
    expect(events.at(-1)).toBe("media");
    expect(events).not.toContain("user_message");
  });
});

describe("edit", () => {
  it("stores an edited user message as a sibling and answers it; nothing is overwritten", async () => {
    const ids = await conversation("edit-user", 2);
    const res = await edit("edit-user", ids[2]!, "turn 1, edited");
    expect(res.status).toBe(200);
    expect(res.json.response).toContain('You said: "turn 1, edited"');
    const branch = await activeBranch("edit-user");
    expect(branch.map((m) => [m.content.slice(0, 14), m.place])).toEqual([
      ["turn 0", "1/1"],
      [expect.stringContaining("Hello!"), "1/1"],
      ["turn 1, edited", "2/2"],
      [expect.stringContaining("Hello!"), "1/1"],
    ]);
    expect(branch[2]!.id).toBe(res.json.user_message_id);
    // The original is still there, with its reply.
    expect((await select("edit-user", ids[2]!)).json.active_leaf_id).toBe(ids[3]);
  });

  it("only stores an edited reply, and a user message with regenerate: false", async () => {
    const ids = await conversation("edit-stored", 1);
    const reply = await edit("edit-stored", ids[1]!, "A better reply.");
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      session_id: "edit-stored",
      total_count: 2,
      message: { role: "assistant", content: "A better reply.", sibling_index: 1 },
    });
    expect(reply.json.active_leaf_id).toBe(reply.json.message.id);

    const user = await edit("edit-stored", ids[0]!, "Just fixing a typo", { regenerate: false });
    expect(user.json).toMatchObject({ total_count: 1, message: { role: "user", content: "Just fixing a typo", sibling_count: 2 } });
    expect((await activeBranch("edit-stored")).map((m) => m.content)).toEqual(["Just fixing a typo"]);
  });
});

describe("continue", () => {
  it("stores the reply plus its continuation as a new sibling", async () => {
    const ids = await conversation("continue", 1);
    const old = (await activeBranch("continue"))[1]!.content;
    const res = await whilePumping(continueReply("continue", ids[1]!, { stream: true }));
    const chunks = [...res.text.matchAll(/^event: response_chunk\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!).delta as string);
    const final = JSON.parse(res.text.match(/^event: response\ndata: (.*)$/m)![1]!);
    expect(final.response.startsWith(`${old} `)).toBe(true);
    expect(final.response.length).toBeGreaterThan(old.length + 10);
    // The chunks add up to the new message: the first is the text it continues.
    expect(chunks[0]).toBe(old);
    expect(chunks.join("")).toBe(final.response);
    expect(final).toMatchObject({ sibling_index: 1, sibling_count: 2, user_message_id: ids[0] });
  });
});

describe("delete", () => {
  it("removes a message and what follows; its nearest sibling takes its place", async () => {
    const ids = await conversation("delete", 2);
    const swiped = await regenerate("delete", ids[1]!);
    const res = await remove("delete", swiped.json.message_id);
    expect(res.json).toEqual({ session_id: "delete", active_leaf_id: ids[3], deleted_count: 1 });
    expect((await activeBranch("delete")).map((m) => m.id)).toEqual(ids);

    const cut = await remove("delete", ids[2]!);
    expect(cut.json).toEqual({ session_id: "delete", active_leaf_id: ids[1], deleted_count: 2 });
    expect((await activeBranch("delete")).map((m) => m.id)).toEqual(ids.slice(0, 2));
  });
});

describe("fork", () => {
  it("copies the path to a message into a new session owned by the caller", async () => {
    const app = await createKey("forker");
    const ids = await conversation("fork-source", 3, app.key);
    const res = await fork("fork-source", ids[3]!, app.key);
    expect(res.status).toBe(201);
    expect(res.json.total_count).toBe(4);
    const copy = await activeBranch(res.json.session_id, app.key);
    const original = await activeBranch("fork-source", app.key);
    expect(copy.map((m) => m.content)).toEqual(original.slice(0, 4).map((m) => m.content));
    expect(copy.map((m) => m.id)).not.toContain(ids[0]);
    const other = await createKey("stranger");
    expect((await api("GET", `/api/v1/chat/history/${res.json.session_id}`, { key: other.key })).status).toBe(403);
    // The fork lives on its own: a turn there does not touch the source.
    await send({ message: "only in the fork", session_id: res.json.session_id }, app.key);
    expect(await activeBranch("fork-source", app.key)).toHaveLength(6);
  });
});

describe("greetings", () => {
  it("opens a session with the first message, its alternate greetings as swipes", async () => {
    const created = await api("POST", "/api/v1/characters", {
      body: { id: "greeter", name: "Greeter", first_message: "Hello, {{user}}.", alternate_greetings: ["Hi there, {{user}}!", "Good evening."] },
    });
    expect(created.status).toBe(201);
    const res = await send({ message: "hi", character_id: "greeter", session_id: "greetings", context: { user_name: "Ann" } });
    const branch = await activeBranch("greetings");
    expect(branch.map((m) => [m.content.slice(0, 12), m.place])).toEqual([
      ["Hello, Ann.", "1/3"],
      ["hi", "1/1"],
      [res.json.response.slice(0, 12), "1/1"],
    ]);
    const greetings = (await siblings("greetings", branch[0]!.id)).json.siblings;
    expect(greetings.map((m: { content: string }) => m.content)).toEqual(["Hello, Ann.", "Hi there, Ann!", "Good evening."]);
    await select("greetings", greetings[1].id);
    expect((await activeBranch("greetings")).map((m) => m.content)).toEqual(["Hi there, Ann!"]);
    // Swiping back brings the conversation that followed the first greeting.
    await select("greetings", greetings[0].id);
    expect(await activeBranch("greetings")).toHaveLength(3);
  });
});

it("reads the SSE answer of an edit as chat/message's stream", async () => {
  const ids = await conversation("edit-sse", 1);
  // Text only: with media off, the stream ends with the reply.
  const res = await edit("edit-sse", ids[0]!, "edited and streamed", { stream: true, media: false });
  const events = [...res.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  expect(events.slice(0, 3)).toEqual(["user_message", "branch", "typing"]);
  expect(events.at(-1)).toBe("response");
});
