import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ChatacterClient,
  ChatacterError,
  isStoredEdit,
  type BranchFrame,
  type ChatSocket,
  type ResponseChunkFrame,
  type StreamEvent,
} from "../../shared/client/index.js";

const baseUrl = inject("stackUrl");
const admin = new ChatacterClient(baseUrl, inject("stackAdminKey"));

/** A message on the active branch as a user sees it: which one, and its place among its swipes ("2/3"). */
type Row = [id: string, place: string];
const place = (m: { sibling_index: number; sibling_count: number }) => `${m.sibling_index + 1}/${m.sibling_count}`;

let client: ChatacterClient;
let socket: ChatSocket;
/** A second socket of the same session, as another tab: it only listens. */
let watcher: ChatSocket;
const heard: BranchFrame[] = [];

beforeAll(async () => {
  // A key of its own: the suite's other files share the admin key's rate budget.
  const { key } = await admin.createKey("tree e2e");
  client = new ChatacterClient(baseUrl, key);
});
afterAll(() => {
  socket?.close();
  watcher?.close();
});

async function open(sessionId: string) {
  socket?.close();
  watcher?.close();
  socket = client.connect({ sessionId });
  watcher = client.connect({ sessionId });
  heard.length = 0;
  watcher.on("branch", (frame) => heard.push(frame));
  await Promise.all([socket.ready, watcher.ready]);
}

/** The active branch, as history answers it, is exactly `rows`; with `leaf`, the other tab heard the change. */
async function expectBranch(sessionId: string, rows: Row[], leaf?: string) {
  const history = await client.getHistory(sessionId, { limit: 200 });
  expect(history.messages.map((m) => [m.id, place(m)])).toEqual(rows);
  expect(history.total_count).toBe(rows.length);
  if (leaf) await expect.poll(() => heard.at(-1)?.active_leaf_id).toBe(leaf);
}

describe("the conversation tree through the SDK", () => {
  it("regenerates at depth 1 and 2, edits, selects back and deletes, over HTTP and the WebSocket", async () => {
    const sessionId = "sdk-tree";
    await open(sessionId);
    const t1 = await socket.send("turn one", { media: false });
    const t2 = await client.sendMessage("turn two", "assistant", sessionId);
    const [u1, a1, u2, a2] = [t1.user_message_id, t1.message_id, t2.user_message_id, t2.message_id];
    await expectBranch(sessionId, [
      [u1, "1/1"],
      [a1, "1/1"],
      [u2, "1/1"],
      [a2, "1/1"],
    ]);

    // Three swipes of the last reply: over the socket, over HTTP, streamed over HTTP.
    const r1 = await socket.regenerate(a2, { media: false });
    expect(r1).toMatchObject({ type: "response", user_message_id: u2, content: t2.response, sibling_index: 1, sibling_count: 2 });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/1"],
        [u2, "1/1"],
        [r1.message_id, "2/2"],
      ],
      r1.message_id,
    );

    const r2 = await client.regenerate(sessionId, r1.message_id, { media: false });
    expect(r2).toMatchObject({ user_message_id: u2, response: t2.response, sibling_index: 2, sibling_count: 3 });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/1"],
        [u2, "1/1"],
        [r2.message_id, "3/3"],
      ],
      r2.message_id,
    );

    const events: StreamEvent[] = [];
    for await (const event of client.streamRegenerate(sessionId, r2.message_id, { media: false })) events.push(event);
    const r3 = events.find((e) => e.type === "response")!;
    if (r3.type !== "response") throw new Error("no response event");
    const streamed = events.filter((e): e is ResponseChunkFrame => e.type === "response_chunk").map((e) => e.delta);
    expect(streamed.length).toBeGreaterThan(1);
    expect(streamed.join("")).toBe(r3.response);
    expect(events.at(-1)).toMatchObject({ type: "branch", active_leaf_id: r3.message_id });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/1"],
        [u2, "1/1"],
        [r3.message_id, "4/4"],
      ],
      r3.message_id,
    );
    const swipes = await client.siblings(sessionId, a2);
    expect(swipes.siblings.map((m) => m.id)).toEqual([a2, r1.message_id, r2.message_id, r3.message_id]);
    expect(swipes.active_index).toBe(3);

    // Three swipes of the reply one turn above the last: each cuts the branch below it, and a new turn follows.
    const d1 = await socket.regenerate(a1, { media: false });
    expect(d1).toMatchObject({ user_message_id: u1, content: t1.content, sibling_index: 1, sibling_count: 2 });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [d1.message_id, "2/2"],
      ],
      d1.message_id,
    );
    const t3 = await socket.send("turn three", { media: false });
    await expectBranch(sessionId, [
      [u1, "1/1"],
      [d1.message_id, "2/2"],
      [t3.user_message_id, "1/1"],
      [t3.message_id, "1/1"],
    ]);

    const d2 = await client.regenerate(sessionId, d1.message_id, { media: false });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [d2.message_id, "3/3"],
      ],
      d2.message_id,
    );
    const t4 = await client.sendMessage("turn four", "assistant", sessionId);
    await expectBranch(sessionId, [
      [u1, "1/1"],
      [d2.message_id, "3/3"],
      [t4.user_message_id, "1/1"],
      [t4.message_id, "1/1"],
    ]);

    const d3 = await socket.regenerate(d2.message_id, { media: false });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [d3.message_id, "4/4"],
      ],
      d3.message_id,
    );

    // Select back: over HTTP to the first swipe, whose turn comes back; over the socket to the original.
    const toD1 = await client.select(sessionId, d1.message_id);
    expect(toD1).toEqual({ session_id: sessionId, active_leaf_id: t3.message_id, total_count: 4 });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [d1.message_id, "2/4"],
        [t3.user_message_id, "1/1"],
        [t3.message_id, "1/1"],
      ],
      t3.message_id,
    );
    const back = await socket.select(a1);
    expect(back).toMatchObject({ type: "branch", session_id: sessionId, active_leaf_id: r3.message_id, changed_at_id: a1 });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/4"],
        [u2, "1/1"],
        [r3.message_id, "4/4"],
      ],
      r3.message_id,
    );

    // Edit the second user message: a new sibling, answered; the original stays.
    const edited = await socket.edit(u2, "turn two, edited", { media: false });
    if (edited.type !== "response") throw new Error(`an edited user message is answered, got ${edited.type}`);
    expect(edited.content).toContain('You said: "turn two, edited"');
    const u2e = edited.user_message_id;
    expect(u2e).not.toBe(u2);
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/4"],
        [u2e, "2/2"],
        [edited.message_id, "1/1"],
      ],
      u2e,
    );
    expect((await client.getHistory(sessionId)).messages[2]!.content).toBe("turn two, edited");

    // An edited reply is only stored: over the socket the answer is the branch frame, over HTTP the stored message.
    const storedFrame = await socket.edit(edited.message_id, "A better reply.");
    if (storedFrame.type !== "branch") throw new Error(`an edited reply is only stored, got ${storedFrame.type}`);
    const storedId = storedFrame.active_leaf_id!;
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/4"],
        [u2e, "2/2"],
        [storedId, "2/2"],
      ],
      storedId,
    );
    const storedHttp = await client.edit(sessionId, storedId, "An even better reply.", { regenerate: false });
    expect(isStoredEdit(storedHttp)).toBe(true);
    expect(storedHttp).toMatchObject({
      active_leaf_id: storedHttp.message.id,
      total_count: 4,
      message: { content: "An even better reply.", sibling_index: 2 },
    });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/4"],
        [u2e, "2/2"],
        [storedHttp.message.id, "3/3"],
      ],
      storedHttp.message.id,
    );

    // Continue the last reply: a new sibling holding its text and more.
    const continued = await socket.continue(storedHttp.message.id, { media: false });
    expect(continued.content.startsWith("An even better reply. ")).toBe(true);
    expect(continued.content.length).toBeGreaterThan("An even better reply. ".length + 10);
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/4"],
        [u2e, "2/2"],
        [continued.message_id, "4/4"],
      ],
      continued.message_id,
    );

    // Delete the edit: it and everything below it go; the original message and its last swipe come back.
    const removed = await client.remove(sessionId, u2e);
    expect(removed).toEqual({ session_id: sessionId, active_leaf_id: r3.message_id, deleted_count: 5 });
    await expectBranch(
      sessionId,
      [
        [u1, "1/1"],
        [a1, "1/4"],
        [u2, "1/1"],
        [r3.message_id, "4/4"],
      ],
      r3.message_id,
    );
    await expect(client.siblings(sessionId, edited.message_id)).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });

    // Fork at the first reply: a new session holding copies of the path to it.
    const fork = await client.fork(sessionId, a1);
    expect(fork.total_count).toBe(2);
    const copied = await client.getHistory(fork.session_id);
    expect(copied.messages.map((m) => m.content)).toEqual(["turn one", t1.content]);
    expect(copied.messages.map((m) => m.id)).not.toContain(a1);

    // Every change reached the other tab as one `branch` frame, in order, the asking socket's id echoed.
    expect(heard.map((f) => f.active_leaf_id)).toEqual([
      r1.message_id,
      r2.message_id,
      r3.message_id,
      d1.message_id,
      d2.message_id,
      d3.message_id,
      t3.message_id,
      r3.message_id,
      u2e,
      storedId,
      storedHttp.message.id,
      continued.message_id,
      r3.message_id,
    ]);
    expect(heard[0]!.client_message_id).toMatch(/^c_/);
    expect(heard[1]!.client_message_id).toBeUndefined();
  });

  it("streams an answered edit, and yields one `stored` event for an edit that gets no reply", async () => {
    const sessionId = "sdk-tree-stream-edit";
    const first = await client.sendMessage("to be edited", "assistant", sessionId);
    const events = [];
    for await (const event of client.streamEdit(sessionId, first.user_message_id, "edited while streaming", { media: false })) events.push(event);
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(["user_message", "branch"]);
    const final = events.at(-1)!;
    expect(final.type === "response" && final.response).toContain('You said: "edited while streaming"');

    const stored = [];
    if (final.type !== "response") throw new Error("no response");
    for await (const event of client.streamEdit(sessionId, final.message_id, "A stored reply.")) stored.push(event);
    expect(stored).toEqual([expect.objectContaining({ type: "stored", message: expect.objectContaining({ content: "A stored reply.", sibling_count: 2 }) })]);

    let continued = "";
    for await (const event of client.streamContinue(sessionId, (stored[0] as { active_leaf_id: string }).active_leaf_id, { media: false })) {
      if (event.type === "response_chunk") continued += event.delta;
    }
    expect(continued.startsWith("A stored reply. ")).toBe(true);
    expect((await client.getHistory(sessionId)).messages.at(-1)).toMatchObject({ content: continued, sibling_index: 2, sibling_count: 3 });
  });

  it("does not lose or run twice a regenerate or select through dropped connections, and rejects a refused one", async () => {
    const sessionId = "sdk-tree-reconnect";
    await open(sessionId);
    const first = await socket.send("a slow one [[slow:30]]", { media: false });
    const chunks: ResponseChunkFrame[] = [];
    socket.on("response_chunk", (chunk) => chunks.push(chunk));

    // Drop the connection while the new swipe streams: it resumes, each chunk once and in order.
    const swipe = socket.regenerate(first.message_id, { media: false });
    await expect.poll(() => chunks.filter((c) => c.message_id !== first.message_id && c.seq >= 2).length).toBeGreaterThan(0);
    socket.reconnect();
    const reply = await swipe;
    const mine = chunks.filter((c) => c.message_id === reply.message_id);
    expect(mine.map((c) => c.seq)).toEqual(mine.map((_, i) => i));
    expect(mine.map((c) => c.delta).join("")).toBe(reply.content);
    expect((await client.siblings(sessionId, first.message_id)).siblings.map((m) => m.id)).toEqual([first.message_id, reply.message_id]);

    // Sent while disconnected: it goes out once the session is back.
    socket.reconnect();
    const selected = await socket.select(first.message_id);
    expect(selected.active_leaf_id).toBe(first.message_id);
    await expectBranch(sessionId, [
      [first.user_message_id, "1/1"],
      [first.message_id, "1/2"],
    ]);

    // A refused change rejects with the API's code and changes nothing.
    const refused = await socket.regenerate(first.user_message_id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatacterError);
    expect(refused).toMatchObject({ code: "INVALID_REQUEST" });
    await expect(client.continue(sessionId, first.user_message_id)).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 400 });
    expect((await client.siblings(sessionId, first.message_id)).siblings).toHaveLength(2);
  });
});
