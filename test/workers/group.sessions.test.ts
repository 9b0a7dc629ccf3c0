/**
 * Group sessions (CHARACTER-ENGINE.md §5) over HTTP and WebSocket: members and strategies, speakers
 * answering one after another, each reply stored and streamed with its speaker, each speaker's prompt
 * its own card with the others named, `next`, regenerating a group reply, one speaker failing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, api, createKey, fullHistory, send } from "../support/api";
import { regenerate } from "../support/branches";
import { env } from "../support/env";
import { drainWebhooks, terminal, waitForStatus } from "../support/media";
import { connect, ofType } from "../support/ws";

const MEMBERS = ["ann", "ben", "cleo"];

beforeAll(async () => {
  for (const [id, name, description] of [
    ["ann", "Ann", "A cheerful baker"],
    ["ben", "Ben", "A grumpy sailor"],
    ["cleo", "Cleo", "A curious astronomer"],
    ["dud", "Dud", "Always fails [[fail]]"],
  ]) {
    const res = await api("POST", "/api/v1/characters", { body: { id, name, description } });
    expect(res.status, res.text).toBe(201);
  }
});

const createGroup = (body: Record<string, unknown>, key?: string) => api("POST", "/api/v1/chat/sessions", { body, key });

/** The group speakers' prompts whose last message holds `marker`, oldest first (memory's background prompts left out). */
async function promptsWith(marker: string): Promise<{ role: string; content: string }[][]> {
  const requests = (await (await fetch(env.LLM_BASE_URL!.replace(/\/v1$/, "/__emulator/requests"))).json()) as {
    messages: { role: string; content: string }[];
  }[];
  return requests
    .map((r) => r.messages)
    .filter((messages) => messages[0]!.content.includes("group conversation between") && messages.at(-1)!.content.includes(marker));
}

describe("group sessions: members and strategies", () => {
  it("creates a group, shows it, changes its members; bad members or strategies change nothing", async () => {
    const created = await createGroup({ character_ids: MEMBERS, strategy: "list", session_id: "group-crud" });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toEqual({
      session_id: "group-crud",
      group: true,
      strategy: "list",
      allow_self_responses: false,
      members: [
        { character_id: "ann", name: "Ann", avatar_url: null, talkativeness: 0.5 },
        { character_id: "ben", name: "Ben", avatar_url: null, talkativeness: 0.5 },
        { character_id: "cleo", name: "Cleo", avatar_url: null, talkativeness: 0.5 },
      ],
    });
    expect((await api("GET", "/api/v1/chat/sessions/group-crud")).json).toEqual(created.json);
    const generated = await createGroup({ character_ids: ["ann"] });
    expect(generated.json.session_id).toMatch(/^sess_/);
    expect(generated.json.strategy).toBe("natural");

    const refusals: [Record<string, unknown>, number, RegExp][] = [
      [{ character_ids: [] }, 400, /at least one/],
      [{ character_ids: ["ann", "ann"] }, 400, /twice/],
      [{ character_ids: ["ann", "ben", "cleo", "a1", "a2", "a3", "a4", "a5", "a6"] }, 400, /at most 8/],
      [{ character_ids: ["ann"], strategy: "shouting" }, 400, /strategy/],
      [{ character_ids: ["ann", "nobody"] }, 404, /No character nobody/],
    ];
    for (const [body, status, message] of refusals) {
      if (!("strategy" in body)) {
        const res = await api("PUT", "/api/v1/chat/sessions/group-crud/members", { body: { character_ids: body.character_ids } });
        expect(res.status, res.text).toBe(status);
        expect(res.json.error.message).toMatch(message);
      }
      const made = await createGroup({ ...body, session_id: "group-refused" });
      expect(made.status, made.text).toBe(status);
    }
    expect((await api("GET", "/api/v1/chat/sessions/group-crud")).json).toEqual(created.json);
    expect((await api("GET", "/api/v1/chat/sessions/group-refused")).status).toBe(404);
    // An existing session is changed through its members, not made again.
    expect((await createGroup({ character_ids: ["ann"], session_id: "group-crud" })).status).toBe(409);

    const changed = await api("PUT", "/api/v1/chat/sessions/group-crud/members", { body: { character_ids: ["cleo", "ann"] } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json.members.map((m: { character_id: string }) => m.character_id)).toEqual(["cleo", "ann"]);
    expect(changed.json.strategy).toBe("list");
  });

  it("shows a one-character session as the characters that spoke in it, not a group", async () => {
    await send({ message: "Hi.", session_id: "plain-session", character_id: "ann", media: false });
    await send({ message: "And you?", session_id: "plain-session", character_id: "ben", media: false });
    const plain = await api("GET", "/api/v1/chat/sessions/plain-session");
    expect(plain.json).toMatchObject({ group: false, strategy: "manual", members: [{ character_id: "ann" }, { character_id: "ben" }] });
    // Given members, it becomes a group.
    const grouped = await api("PUT", "/api/v1/chat/sessions/plain-session/members", { body: { character_ids: ["ann", "cleo"] } });
    expect(grouped.json).toMatchObject({ group: true, strategy: "natural" });
  });

  it("keeps a group to its owner", async () => {
    const { key } = await createKey("group-owner");
    const { key: other } = await createKey("group-other");
    expect((await createGroup({ character_ids: MEMBERS, session_id: "group-owned" }, key)).status).toBe(201);
    expect((await api("GET", "/api/v1/chat/sessions/group-owned", { key: other })).status).toBe(403);
    expect((await api("PUT", "/api/v1/chat/sessions/group-owned/members", { key: other, body: { character_ids: ["ann"] } })).status).toBe(403);
    expect((await send({ message: "hi", session_id: "group-owned" }, other)).status).toBe(403);
  });

  it("list: every member answers in order, each reply stored with its speaker, each prompt its own card with the others named", async () => {
    await createGroup({ character_ids: MEMBERS, strategy: "list", session_id: "group-list" });
    const res = await send({ message: "Good morning, everyone. [g-list]", session_id: "group-list" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.replies.map((r: { character_id: string }) => r.character_id)).toEqual(MEMBERS);
    expect(res.json).toMatchObject({ character_id: "ann", message_id: res.json.replies[0].message_id });
    expect(res.json.failed).toBeUndefined();
    // Chained: each reply answers the one before it.
    const [first, second, third] = res.json.replies;
    expect(second.user_message_id).toBe(first.message_id);
    expect(third.user_message_id).toBe(second.message_id);
    const history = await fullHistory("group-list");
    expect(history.map((m) => [m.role, m.character_id])).toEqual([
      ["user", "ann"],
      ["assistant", "ann"],
      ["assistant", "ben"],
      ["assistant", "cleo"],
    ]);

    const prompts = await promptsWith("[g-list]");
    expect(prompts).toHaveLength(1);
    const cleo = (await promptsWith("Write the next reply only as Cleo")).at(-1)!;
    const system = cleo[0]!.content;
    expect(system).toContain("You are Cleo.");
    expect(system).toContain("A curious astronomer");
    expect(system).not.toContain("A grumpy sailor");
    expect(system).toMatch(/group conversation between User, Cleo and Ann, Ben/);
    // The history names each line's speaker.
    expect(cleo.filter((m) => m.role === "assistant").map((m) => m.content.split(":")[0])).toEqual(["Ann", "Ben"]);
  });

  it("natural: the member a message names answers first; character_id makes one answer alone; a non-member is refused", async () => {
    await createGroup({ character_ids: MEMBERS, session_id: "group-natural" });
    for (let i = 0; i < 3; i++) {
      const res = await send({ message: `Ben, what do you make of the weather? (${i})`, session_id: "group-natural" });
      expect(res.status, res.text).toBe(200);
      expect(res.json.replies[0].character_id).toBe("ben");
      expect(new Set(res.json.replies.map((r: { character_id: string }) => r.character_id)).size).toBe(res.json.replies.length);
    }
    const alone = await send({ message: "Only you, please.", session_id: "group-natural", character_id: "cleo" });
    expect(alone.json.replies.map((r: { character_id: string }) => r.character_id)).toEqual(["cleo"]);
    const before = (await fullHistory("group-natural")).length;
    const outsider = await send({ message: "Hello?", session_id: "group-natural", character_id: "assistant" });
    expect(outsider.status).toBe(400);
    expect(outsider.json.error.message).toMatch(/assistant is not a member/);
    expect((await fullHistory("group-natural")).length).toBe(before);
  });

  it("picks the same speakers for the same message in the same place (seeded), and a group outlives a cleared history", async () => {
    await createGroup({ character_ids: MEMBERS, session_id: "group-seed" });
    const texts = ["Tell me something.", "And then?", "What happened next?", "Goodnight."];
    const run = async () => {
      const speakers: string[][] = [];
      for (const message of texts)
        speakers.push((await send({ message, session_id: "group-seed" })).json.replies.map((r: { character_id: string }) => r.character_id));
      return speakers;
    };
    const first = await run();
    expect((await api("DELETE", "/api/v1/chat/history/group-seed")).status).toBe(200);
    expect((await api("GET", "/api/v1/chat/sessions/group-seed")).json.members).toHaveLength(3);
    expect(await run()).toEqual(first);
    // talkativeness 0.5 each: over four draws, not always the same one member.
    expect(new Set(first.map((speakers) => speakers.join())).size).toBeGreaterThan(1);
  });

  it("manual: only the named member answers; a message naming no one is refused", async () => {
    await createGroup({ character_ids: MEMBERS, strategy: "manual", session_id: "group-manual" });
    const none = await send({ message: "Anyone?", session_id: "group-manual" });
    expect(none.status).toBe(400);
    expect(none.json.error.message).toMatch(/name the character who answers/);
    const named = await send({ message: "Ann?", session_id: "group-manual", character_id: "ann" });
    expect(named.json.replies.map((r: { character_id: string }) => r.character_id)).toEqual(["ann"]);
  });

  it("pooled: one member who has not spoken since the user", async () => {
    await createGroup({ character_ids: MEMBERS, strategy: "pooled", session_id: "group-pooled" });
    const res = await send({ message: "One of you.", session_id: "group-pooled" });
    expect(res.json.replies).toHaveLength(1);
    // next: the others, one by one, then (all have spoken) anyone but the last speaker.
    const spoken = [res.json.character_id];
    for (let i = 0; i < 2; i++) spoken.push((await api("POST", "/api/v1/chat/sessions/group-pooled/next", { body: {} })).json.character_id);
    expect([...spoken].sort()).toEqual(MEMBERS);
    const fourth = await api("POST", "/api/v1/chat/sessions/group-pooled/next", { body: {} });
    expect(fourth.json.character_id).not.toBe(spoken.at(-1));
  });
});

describe("group turns", () => {
  it("next: a member speaks with no user message; natural leaves out the last speaker; character_id names who", async () => {
    await createGroup({ character_ids: ["ann", "ben"], strategy: "natural", session_id: "group-next" });
    await send({ message: "Hello both.", session_id: "group-next", character_id: "ann" });
    const next = await api("POST", "/api/v1/chat/sessions/group-next/next", { body: {} });
    expect(next.status, next.text).toBe(200);
    expect(next.json.character_id).toBe("ben");
    expect(next.json.replies).toHaveLength(1);
    const named = await api("POST", "/api/v1/chat/sessions/group-next/next", { body: { character_id: "ben" } });
    expect(named.json.character_id).toBe("ben");
    const history = await fullHistory("group-next");
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "assistant", "assistant"]);
    expect((await api("POST", "/api/v1/chat/sessions/group-next/next", { body: { character_id: "cleo" } })).status).toBe(400);
    expect((await api("POST", "/api/v1/chat/sessions/no-such-group/next", { body: {} })).status).toBe(404);
  });

  it("regenerating a group reply keeps its speaker and its group prompt", async () => {
    await createGroup({ character_ids: MEMBERS, strategy: "list", session_id: "group-regen" });
    const res = await send({ message: "Regenerate me. [g-regen]", session_id: "group-regen" });
    const middle = res.json.replies[1];
    expect(middle.character_id).toBe("ben");
    const swiped = await regenerate("group-regen", middle.message_id);
    expect(swiped.status, swiped.text).toBe(200);
    expect(swiped.json).toMatchObject({ character_id: "ben", sibling_index: 1, sibling_count: 2 });
    const prompt = (await promptsWith("Write the next reply only as Ben")).at(-1)!;
    expect(prompt[0]!.content).toMatch(/group conversation between User, Ben and Ann, Cleo/);
    // The context preview shows a member's next prompt as its turn would build it.
    const preview = await api("POST", "/api/v1/chat/sessions/group-regen/context", { body: { character_id: "cleo", message: "And you?" } });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json.messages[0].content).toMatch(/group conversation between User, Cleo and Ann, Ben/);
  });

  it("one speaker's failure loses no other reply: its error names it, the others are stored", async () => {
    await createGroup({ character_ids: ["ann", "dud", "cleo"], strategy: "list", session_id: "group-fail" });
    const res = await send({ message: "Everyone, please.", session_id: "group-fail" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.replies.map((r: { character_id: string }) => r.character_id)).toEqual(["ann", "cleo"]);
    expect(res.json.failed).toEqual([{ character_id: "dud", code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(/^Dud could not answer/) }]);
    expect((await fullHistory("group-fail")).map((m) => m.character_id)).toEqual(["ann", "ann", "cleo"]);
  });

  it("over WebSocket: every frame carries its speaker, replies come one after another", async () => {
    await createGroup({ character_ids: MEMBERS, strategy: "list", session_id: "group-ws" });
    const socket = await connect("?session_id=group-ws");
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "group-ws" });
    await socket.next(ofType("authenticated"));
    socket.send({ type: "message", content: "Cleo, start us off.", media: false });
    const responses = [await socket.next(ofType("response")), await socket.next(ofType("response")), await socket.next(ofType("response"))];
    expect(responses.map((r) => r.character_id)).toEqual(MEMBERS);
    for (const response of responses) {
      const chunks = socket.frames.filter((f) => f.type === "response_chunk" && f.message_id === response.message_id);
      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks.every((c) => c.character_id === response.character_id)).toBe(true);
      expect(chunks.map((c) => c.delta).join("")).toBe(response.content);
    }
    // One reply finishes before the next begins.
    const order = socket.frames.filter((f) => f.type === "response_chunk" || f.type === "response").map((f) => f.message_id);
    expect(order).toEqual([...order].sort((a, b) => responses.findIndex((r) => r.message_id === a) - responses.findIndex((r) => r.message_id === b)));
    const users = socket.frames.filter(ofType("user_message"));
    expect(users).toHaveLength(1);
    expect(users[0].speakers).toEqual(MEMBERS);
    socket.ws.close();
  });

  it("over SSE: each speaker's reply streams in turn, one `response` event each", async () => {
    await createGroup({ character_ids: MEMBERS, strategy: "list", session_id: "group-sse" });
    const res = await api("POST", "/api/v1/chat/message", { body: { message: "Stream, all of you.", session_id: "group-sse", stream: true, media: false } });
    expect(res.status).toBe(200);
    const events = [...res.text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ type: m[1]!, data: JSON.parse(m[2]!) }));
    const responses = events.filter((e) => e.type === "response").map((e) => e.data);
    expect(responses.map((r) => r.character_id)).toEqual(MEMBERS);
    expect(events.at(-1)!.type).toBe("response");
    expect(events.filter((e) => e.type === "response_chunk").every((e) => MEMBERS.includes(e.data.character_id))).toBe(true);

    // A failing speaker's error event names it; the stream goes on with the next.
    await createGroup({ character_ids: ["dud", "ann"], strategy: "list", session_id: "group-sse-fail" });
    const failing = await api("POST", "/api/v1/chat/message", { body: { message: "Stream, both.", session_id: "group-sse-fail", stream: true, media: false } });
    const types = [...failing.text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ type: m[1]!, data: JSON.parse(m[2]!) }));
    const error = types.find((e) => e.type === "error")!;
    expect(error.data.error).toMatchObject({ code: "SERVICE_UNAVAILABLE", details: { character_id: "dud" } });
    expect(types.at(-1)).toMatchObject({ type: "response", data: { character_id: "ann" } });
  });

  it("each speaker has its own voice and face; the next speaker does not cut the last one's voice", async () => {
    await drainWebhooks();
    await createGroup({ character_ids: ["assistant", "creative"], strategy: "list", session_id: "group-voices" });
    const res = await send({ message: "Both of you, say something.", session_id: "group-voices" });
    const [first, second] = res.json.replies;
    expect(first.media).toMatchObject({ audio_request_id: expect.any(String), video_request_id: expect.any(String) });
    expect(second.media.audio_request_id).toEqual(expect.any(String));
    expect(second.media.video_request_id).toBeUndefined();
    for (const reply of [first, second]) expect((await waitForStatus(reply.media.audio_request_id, terminal)).at(-1).status).toBe("completed");
    const { results } = await env.DB.prepare(
      "SELECT DISTINCT json_extract(input, '$.voice') AS voice FROM media_requests WHERE session_id = ? AND json_extract(settings, '$.source') = 'reply_chunk'",
    )
      .bind("group-voices")
      .all<{ voice: string }>();
    expect(results).toHaveLength(2);
  });
});
