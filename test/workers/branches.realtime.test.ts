import { describe, expect, it } from "vitest";
import { ADMIN_KEY, send } from "../support/api";
import { activeBranch, siblings } from "../support/branches";
import { connect, ofType, type TestSocket } from "../support/ws";

/** Two authenticated sockets on one session (two tabs), after a first turn over HTTP. */
async function twoTabs(sessionId: string, message = "turn 0") {
  const turn = await send({ message, session_id: sessionId });
  const tabs: TestSocket[] = [];
  for (let i = 0; i < 2; i++) {
    const socket = await connect(`?session_id=${sessionId}`);
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: sessionId });
    await socket.next(ofType("authenticated"));
    tabs.push(socket);
  }
  return { tabs, userId: turn.json.user_message_id as string, replyId: turn.json.message_id as string };
}

const withId = (type: string, clientId: string) => (f: any) => f.type === type && f.client_message_id === clientId;

describe("tree frames over WebSocket", () => {
  it("streams a regeneration like a turn, and every tab hears the branch change", async () => {
    const { tabs, replyId } = await twoTabs("ws-regenerate");
    const [asker, other] = tabs as [TestSocket, TestSocket];
    asker.send({ type: "regenerate", message_id: replyId, client_message_id: "r1" });
    const response = await asker.next(withId("response", "r1"));
    expect(response).toMatchObject({ sibling_index: 1, sibling_count: 2, cancelled: false });
    const chunks = asker.frames.filter((f) => f.type === "response_chunk" && f.message_id === response.message_id);
    expect(chunks.map((c) => c.delta).join("")).toBe(response.content);
    for (const tab of tabs) {
      expect(await tab.next(ofType("branch"))).toEqual({
        type: "branch",
        session_id: "ws-regenerate",
        active_leaf_id: response.message_id,
        changed_at_id: response.message_id,
        client_message_id: "r1",
      });
    }
    expect(other.frames.some((f) => f.type === "response" && f.message_id === response.message_id)).toBe(true);
    expect(asker.frames.filter((f) => f.type === "user_message")).toHaveLength(0);

    // The same frame again (a client that reconnected and re-sent it): the same reply, no third sibling.
    asker.send({ type: "regenerate", message_id: replyId, client_message_id: "r1" });
    expect((await asker.next(withId("response", "r1"))).message_id).toBe(response.message_id);
    expect((await siblings("ws-regenerate", replyId)).json.siblings).toHaveLength(2);
  });

  it("answers an edited user message, stores an edited reply, continues and selects", async () => {
    const { tabs, userId, replyId } = await twoTabs("ws-edit");
    const [tab, other] = tabs as [TestSocket, TestSocket];
    tab.send({ type: "edit", message_id: userId, content: "edited over the socket", client_message_id: "e1" });
    const user = await tab.next(withId("user_message", "e1"));
    expect(user).toMatchObject({ content: "edited over the socket", sibling_index: 1, sibling_count: 2 });
    const answer = await tab.next(withId("response", "e1"));
    expect(answer.user_message_id).toBe(user.message_id);
    expect(await other.next(ofType("branch"))).toMatchObject({ changed_at_id: user.message_id });

    tab.send({ type: "edit", message_id: answer.message_id, content: "A hand-written reply.", client_message_id: "e2" });
    const stored = await tab.next(withId("branch", "e2"));
    const branch = await activeBranch("ws-edit");
    expect(branch.map((m) => m.content)).toEqual(["edited over the socket", "A hand-written reply."]);
    expect(stored.active_leaf_id).toBe(branch[1]!.id);

    tab.send({ type: "continue", message_id: stored.active_leaf_id, client_message_id: "c1" });
    const continued = await tab.next(withId("response", "c1"));
    expect(continued.content.startsWith("A hand-written reply. ")).toBe(true);

    tab.send({ type: "select", message_id: replyId, client_message_id: "s1" });
    expect(await tab.next(withId("branch", "s1"))).toMatchObject({ active_leaf_id: replyId, changed_at_id: userId });
    expect(await other.next((f) => f.type === "branch" && f.client_message_id === "s1")).toMatchObject({ active_leaf_id: replyId });
    expect((await activeBranch("ws-edit")).map((m) => m.id)).toEqual([userId, replyId]);
  });

  it("tells only the asker what it may not do, and changes nothing", async () => {
    const { tabs, userId, replyId } = await twoTabs("ws-refuse");
    const [tab, other] = tabs as [TestSocket, TestSocket];
    tab.send({ type: "regenerate", message_id: userId, client_message_id: "bad1" });
    expect(await tab.next(withId("error", "bad1"))).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("user message") });
    tab.send({ type: "select", message_id: "msg_nothing", client_message_id: "bad2" });
    expect(await tab.next(withId("error", "bad2"))).toMatchObject({ code: "NOT_FOUND" });
    tab.send({ type: "edit", message_id: userId, content: "" });
    expect((await tab.next(ofType("error"))).message).toMatch(/Invalid edit frame.*must not be empty/);
    // A round trip on the other tab: had it been sent anything, it would have come before this.
    other.send({ type: "cancel" });
    await other.next(ofType("error"));
    expect(other.frames.filter((f) => f.type === "error")).toHaveLength(1);
    expect((await activeBranch("ws-refuse")).map((m) => m.id)).toEqual([userId, replyId]);
  });

  it("refuses a frame that asked for no queueing while a reply streams, and queues one that did not", async () => {
    const { tabs, replyId } = await twoTabs("ws-queue", "slow [[slow:100]]");
    const [tab] = tabs as [TestSocket];
    tab.send({ type: "regenerate", message_id: replyId, client_message_id: "first" });
    await tab.next((f) => f.type === "response_chunk");
    tab.send({ type: "regenerate", message_id: replyId, client_message_id: "impatient", queue: false });
    expect(await tab.next(withId("error", "impatient"))).toMatchObject({ code: "CONFLICT", message: expect.stringContaining('"queue": false') });
    tab.send({ type: "select", message_id: replyId, client_message_id: "patient" });
    const first = await tab.next(withId("response", "first"));
    // The select waited for the regeneration, then swiped back to the original reply.
    expect(await tab.next(withId("branch", "patient"))).toMatchObject({ active_leaf_id: replyId });
    expect((await siblings("ws-queue", first.message_id)).json).toMatchObject({ active_index: 0 });
    expect((await siblings("ws-queue", replyId)).json.siblings).toHaveLength(2);
  });

  it("cancels a regeneration like any reply: what was generated is kept, marked as cut short", async () => {
    const { tabs, replyId } = await twoTabs("ws-cancel", "a long story [[slow:100]]");
    const [tab] = tabs as [TestSocket];
    tab.send({ type: "regenerate", message_id: replyId, client_message_id: "cut" });
    await tab.next((f) => f.type === "response_chunk");
    tab.send({ type: "cancel" });
    const response = await tab.next(withId("response", "cut"));
    expect(response).toMatchObject({ cancelled: true, sibling_index: 1 });
    expect(response.metadata.finish_reason).toBe("cancelled");
    const branch = await activeBranch("ws-cancel");
    expect(branch[1]).toMatchObject({ id: response.message_id, content: response.content });
  });

  it("tells a reconnecting client where the branch moved while it was away, before `authenticated`", async () => {
    const { tabs, userId, replyId } = await twoTabs("ws-away");
    const [stays, leaves] = tabs as [TestSocket, TestSocket];
    leaves.ws.close(1000);
    stays.send({ type: "regenerate", message_id: replyId, client_message_id: "while-away" });
    const swipe = await stays.next(withId("response", "while-away"));

    const back = await connect("?session_id=ws-away");
    back.send({ type: "auth", token: ADMIN_KEY, session_id: "ws-away", active_leaf_id: replyId });
    await back.next(ofType("authenticated"));
    expect(back.frames.map((f) => f.type)).toEqual(["branch", "authenticated"]);
    expect(back.frames[0]).toEqual({ type: "branch", session_id: "ws-away", active_leaf_id: swipe.message_id, changed_at_id: swipe.message_id });

    // A client that is up to date hears nothing more; one whose leaf is gone redraws from the root.
    const current = await connect("?session_id=ws-away");
    current.send({ type: "auth", token: ADMIN_KEY, active_leaf_id: swipe.message_id });
    await current.next(ofType("authenticated"));
    expect(current.frames.map((f) => f.type)).toEqual(["authenticated"]);
    const lost = await connect("?session_id=ws-away");
    lost.send({ type: "auth", token: ADMIN_KEY, active_leaf_id: "msg_deleted" });
    expect(await lost.next(ofType("branch"))).toMatchObject({ changed_at_id: userId, active_leaf_id: swipe.message_id });
  });

  it("answers a re-sent stored edit with what became of the first, and names the frame it refuses", async () => {
    const { tabs, replyId } = await twoTabs("ws-resend-edit");
    const [tab] = tabs as [TestSocket];
    tab.send({ type: "edit", message_id: replyId, content: "Stored once.", client_message_id: "once" });
    const first = await tab.next(withId("branch", "once"));
    // The client lost that frame in a reconnect and sends the edit again.
    tab.send({ type: "edit", message_id: replyId, content: "Stored once.", client_message_id: "once" });
    expect(await tab.next(withId("branch", "once"))).toMatchObject({ changed_at_id: first.active_leaf_id, active_leaf_id: first.active_leaf_id });
    expect((await siblings("ws-resend-edit", replyId)).json.siblings).toHaveLength(2);

    tab.send({ type: "regenerate", message_id: "not-an-id", client_message_id: "malformed" });
    expect(await tab.next(withId("error", "malformed"))).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("message_id") });
  });
});
