/**
 * The SDK's group sessions against `npm start`: createGroup, getSession, members, next and streamNext;
 * sendMessage's and streamMessage's replies (a failed speaker named, the others still answering); a
 * socket `send` to a group resolving once every announced speaker has answered; bad input as typed
 * ChatacterErrors.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ChatacterClient, ChatacterError, ChatSocket, type ServerFrame, type StreamEvent } from "../../shared/client/index.js";

const baseUrl = inject("stackUrl");
const adminKey = inject("stackAdminKey");
const admin = new ChatacterClient(baseUrl, adminKey);

// Talkativeness 1: in `natural`, everyone speaks, the members a message names first.
const ADA = "e2e-cg-ada";
const BO = "e2e-cg-bo";
const CY = "e2e-cg-cy";
// The LLM emulator fails a prompt holding [[fail]]: Dud's card puts it in Dud's prompt alone.
const DUD = "e2e-cg-dud";

async function importCard(id: string, name: string, description: string) {
  const card = { spec: "chara_card_v2", spec_version: "2.0", data: { name, description, extensions: { talkativeness: 1 } } };
  const res = await fetch(`${baseUrl}/api/v1/characters/import?id=${id}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify(card),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

let client: ChatacterClient;
beforeAll(async () => {
  await importCard(ADA, "Ada", "A mathematician who loves engines.");
  await importCard(BO, "Bo", "A sailor with a parrot.");
  await importCard(CY, "Cy", "A cartographer of imaginary islands.");
  await importCard(DUD, "Dud", "Never answers. [[fail]]");
  client = new ChatacterClient(baseUrl, (await admin.createKey("client-group test")).key);
});

const speakersOf = (replies: { character_id: string }[] | undefined) => replies?.map((r) => r.character_id);

describe("the SDK's group sessions against npm start", () => {
  it("creates a group, reads it, changes its members, and next makes one member speak", async () => {
    const group = await client.createGroup([ADA, BO, CY], { strategy: "list" });
    expect(group.session_id).toMatch(/^sess_/);
    expect(group).toMatchObject({ strategy: "list", allow_self_responses: false });
    expect(group.members).toEqual([
      { character_id: ADA, name: "Ada", avatar_url: null, talkativeness: 1 },
      { character_id: BO, name: "Bo", avatar_url: null, talkativeness: 1 },
      { character_id: CY, name: "Cy", avatar_url: null, talkativeness: 1 },
    ]);
    expect(await client.getSession(group.session_id)).toEqual(group);

    // `list`: every member answers, in member order.
    const first = await client.sendMessage("Hello, crew.", { sessionId: group.session_id });
    expect(speakersOf(first.replies)).toEqual([ADA, BO, CY]);

    const changed = await client.members(group.session_id, [CY, ADA]);
    expect(changed).toMatchObject({ session_id: group.session_id, strategy: "list" });
    expect(changed.members.map((m) => m.character_id)).toEqual([CY, ADA]);
    expect((await client.getSession(group.session_id)).members.map((m) => m.name)).toEqual(["Cy", "Ada"]);

    // No user message: one member speaks, the one asked for or one the strategy picks.
    const named = await client.next(group.session_id, { characterId: ADA });
    expect(named.character_id).toBe(ADA);
    expect(speakersOf(named.replies)).toEqual([ADA]);
    const picked = await client.next(group.session_id, { media: false });
    expect([CY, ADA]).toContain(picked.character_id);

    const streamed: StreamEvent[] = [];
    for await (const event of client.streamNext(group.session_id, { characterId: CY })) streamed.push(event);
    const response = streamed.find((e) => e.type === "response");
    expect(response).toMatchObject({ type: "response", character_id: CY });
    expect(streamed.filter((e) => e.type === "response_chunk").every((e) => e.character_id === CY)).toBe(true);

    const history = await client.getHistory(group.session_id);
    expect(history.messages.slice(4).map((m) => [m.role, m.character_id])).toEqual([
      ["assistant", ADA],
      ["assistant", picked.character_id],
      ["assistant", CY],
    ]);
  });

  it("answers a message with every reply in order, naming a speaker that failed; a named member answers alone", async () => {
    const group = await client.createGroup([ADA, DUD, CY], { strategy: "list" });
    const turn = await client.sendMessage("Good morning, everyone.", { sessionId: group.session_id });
    // The first reply's body, plus all the replies; Dud's failure is named and the next speaker still answered.
    expect(turn.character_id).toBe(ADA);
    expect(speakersOf(turn.replies)).toEqual([ADA, CY]);
    expect(turn.replies![0]).toEqual({ ...turn, replies: undefined, failed: undefined } as never);
    expect(turn.failed).toEqual([{ character_id: DUD, code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(/^Dud could not answer/) }]);
    // Cy answered Ada: the replies are chained.
    expect(turn.replies![1]!.user_message_id).toBe(turn.replies![0]!.message_id);

    const alone = await client.sendMessage("Cy, only you this time.", { sessionId: group.session_id, characterId: CY });
    expect(speakersOf(alone.replies)).toEqual([CY]);
    expect(alone.failed).toBeUndefined();

    // Streamed: every speaker's frames in turn, Dud's failure as an event naming it.
    const events: StreamEvent[] = [];
    for await (const event of client.streamMessage("And good evening.", { sessionId: group.session_id })) events.push(event);
    expect(events.find((e) => e.type === "user_message")).toMatchObject({ speakers: [ADA, DUD, CY] });
    const ends = events.filter((e) => e.type === "response" || e.type === "error").map((e) => [e.type, e.character_id]);
    expect(ends).toEqual([
      ["response", ADA],
      ["error", DUD],
      ["response", CY],
    ]);
    expect(events.find((e) => e.type === "error")).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(/^Dud could not answer/) });

    // When no speaker answers, the stream ends with the turn's error, as HTTP answers 503.
    const failed = await (async () => {
      for await (const _ of client.streamMessage("Dud?", { sessionId: group.session_id, characterId: DUD })) void _;
    })().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ChatacterError);
    expect(failed).toMatchObject({ code: "SERVICE_UNAVAILABLE", details: { failed: [{ character_id: DUD }] } });
  });

  it("resolves a socket send to a group once every speaker it announced has answered", async () => {
    const group = await client.createGroup([ADA, BO, CY]);
    const socket = client.connect({ sessionId: group.session_id });
    await socket.ready;
    const frames: ServerFrame[] = [];
    for (const type of ["user_message", "response", "error"] as const) socket.on(type, (frame) => frames.push(frame));

    // Bo is named: Bo answers first, then the others (talkativeness 1).
    const turn = await socket.send("Bo, how is the parrot?", { media: false });
    const announced = frames.find((f) => f.type === "user_message");
    const speakers = (announced?.type === "user_message" && announced.speakers) || [];
    expect(speakers[0]).toBe(BO);
    expect([...speakers].sort()).toEqual([ADA, BO, CY]);
    // Resolved with every reply, in the order spoken, after the last one's frame came.
    expect(speakersOf(turn.replies)).toEqual(speakers);
    expect(frames.filter((f) => f.type === "response").map((f) => f.message_id)).toEqual(turn.replies!.map((r) => r.message_id));
    expect(turn).toMatchObject({ type: "response", character_id: BO, message_id: turn.replies![0]!.message_id, content: turn.replies![0]!.content });
    expect(turn.failed).toBeUndefined();

    // A member named with characterId answers alone.
    const alone = await socket.send("Just Cy, please.", { characterId: CY, media: false });
    expect(speakersOf(alone.replies)).toEqual([CY]);
    socket.close();

    // A speaker that fails is named; the others still answer, and the send resolves with theirs.
    const failing = await client.createGroup([DUD, ADA], { strategy: "list" });
    const other = client.connect({ sessionId: failing.session_id });
    const errors: ServerFrame[] = [];
    other.on("error", (frame) => errors.push(frame));
    const partial = await other.send("Hello, both of you.");
    expect(speakersOf(partial.replies)).toEqual([ADA]);
    expect(partial.character_id).toBe(ADA);
    expect(partial.failed).toEqual([{ character_id: DUD, code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(/^Dud could not answer/) }]);
    expect(errors).toMatchObject([{ type: "error", character_id: DUD }]);
    // No speaker answered: the send rejects with the turn's error.
    const none = await other.send("Dud, say something.", { characterId: DUD }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ChatacterError);
    expect(none).toMatchObject({ code: "SERVICE_UNAVAILABLE", details: { failed: [{ character_id: DUD }] } });
    other.close();
  });

  it("answers bad input with typed errors carrying the API's code", async () => {
    const unknown = await client.createGroup([ADA, "e2e-cg-nobody"]).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ChatacterError);
    expect(unknown).toMatchObject({ code: "NOT_FOUND", status: 404, message: expect.stringContaining("e2e-cg-nobody") });
    await expect(client.createGroup([ADA, ADA])).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 400 });
    await expect(client.createGroup([])).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 400 });

    const group = await client.createGroup([ADA, BO]);
    await expect(client.sendMessage("Hi", { sessionId: group.session_id, characterId: CY })).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 400 });
    await expect(client.next(group.session_id, { characterId: CY })).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 400 });
    await expect(client.members(group.session_id, [ADA, BO, ADA])).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 400 });
    await expect(client.createGroup([CY], { sessionId: group.session_id })).rejects.toMatchObject({ code: "CONFLICT", status: 409 });
    // Over the socket too: a non-member is refused and nothing is stored.
    const socket = client.connect({ sessionId: group.session_id });
    await expect(socket.send("Hi", { characterId: CY })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    socket.close();
    expect((await client.getHistory(group.session_id)).total_count).toBe(0);
    // Another key's group.
    const stranger = new ChatacterClient(baseUrl, (await admin.createKey("client-group stranger")).key);
    await expect(stranger.getSession(group.session_id)).rejects.toMatchObject({ code: "FORBIDDEN", status: 403 });
    await expect(stranger.next(group.session_id)).rejects.toMatchObject({ code: "FORBIDDEN", status: 403 });
  });

  it("settles a group send that missed a reply (a reconnect lost it) when the next turn starts, with the replies it heard", async () => {
    // The server's catch-up cannot replay a group's later replies: a socket that missed one hears the next turn start instead.
    const socket = new ChatSocket({ url: "ws://fake", token: "t", reconnect: false, WebSocket: FakeSocket as unknown as typeof WebSocket });
    const fake = FakeSocket.current!;
    await expect.poll(() => fake.sent[0]).toMatchObject({ type: "auth" });
    fake.frame({ type: "authenticated", session_id: "s" });
    await socket.ready;
    let settled = false;
    const send = socket.send("Hello, both.").finally(() => (settled = true));
    await expect.poll(() => fake.sent[1]).toMatchObject({ type: "message", content: "Hello, both." });
    const clientId = fake.sent[1]!.client_message_id;
    expect(fake.sent[1]).not.toHaveProperty("character_id");
    fake.frame({ ...userMessage("u1", "r1"), client_message_id: clientId, speakers: ["ann", "ben"] });
    fake.frame({ ...reply("r1", "ann", "u1"), client_message_id: clientId });
    // Ben's reply never comes: the send waits...
    fake.frame({ type: "typing", character_id: "ben", is_typing: true });
    await Promise.resolve();
    expect(settled).toBe(false);
    // ...until another turn's message shows this one is over.
    fake.frame(userMessage("u2", "r2"));
    const turn = await send;
    expect(turn.replies?.map((r) => r.message_id)).toEqual(["r1"]);
    expect(turn).toMatchObject({ message_id: "r1", character_id: "ann" });
    socket.close();
  });
});

/** A WebSocket as far as ChatSocket can tell: open at once, frames in by hand, frames out recorded. */
class FakeSocket extends EventTarget {
  /** The one ChatSocket made last. */
  static current?: FakeSocket;
  readyState = 1;
  sent: Record<string, unknown>[] = [];
  constructor() {
    super();
    FakeSocket.current = this;
    queueMicrotask(() => this.dispatchEvent(new Event("open")));
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
  frame(frame: object) {
    this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(frame) }));
  }
}

const userMessage = (id: string, replyId: string) => ({
  type: "user_message",
  message_id: id,
  character_id: "assistant",
  content: "Hello",
  timestamp: "2026-01-01T00:00:00.000Z",
  reply_id: replyId,
  sibling_index: 0,
  sibling_count: 1,
});
const reply = (id: string, character: string, answers: string) => ({
  type: "response",
  session_id: "s",
  character_id: character,
  content: `${character} says hi`,
  timestamp: "2026-01-01T00:00:01.000Z",
  media: null,
  message_id: id,
  user_message_id: answers,
  metadata: {
    tokens_used: null,
    prompt_tokens: null,
    completion_tokens: null,
    response_time_ms: 1,
    confidence: null,
    model: "m",
    provider: "p",
    finish_reason: "stop",
  },
  cancelled: false,
  sibling_index: 0,
  sibling_count: 1,
});
