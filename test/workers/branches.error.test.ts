import { describe, expect, it } from "vitest";
import { api, createKey, send } from "../support/api";
import { activeBranch, continueReply, edit, fork, regenerate, remove, select, siblings } from "../support/branches";

async function conversation(sessionId: string, turns: number, key?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < turns; i++) {
    const res = await send({ message: `turn ${i}`, session_id: sessionId }, key);
    ids.push(res.json.user_message_id, res.json.message_id);
  }
  return ids;
}

/** Runs `change`, expects the error, and that the session's active branch and swipes did not move. */
async function refusedUnchanged(sessionId: string, change: () => Promise<{ status: number; json: any }>, status: number, message: RegExp) {
  const before = await activeBranch(sessionId);
  const res = await change();
  expect(res.status).toBe(status);
  expect(res.json.error.message).toMatch(message);
  expect(await activeBranch(sessionId)).toEqual(before);
}

describe("what each change refuses, changing nothing", () => {
  it("refuses to regenerate or continue a user message, and to continue anything but the last reply", async () => {
    const ids = await conversation("refuse-roles", 2);
    await refusedUnchanged("refuse-roles", () => regenerate("refuse-roles", ids[2]!), 400, /Only a character's reply can be regenerated.*user message/);
    await refusedUnchanged("refuse-roles", () => continueReply("refuse-roles", ids[2]!), 400, /Only a character's reply can be continued/);
    await refusedUnchanged("refuse-roles", () => continueReply("refuse-roles", ids[1]!), 400, /Only the active branch's last message can be continued/);
  });

  it("refuses to regenerate a message that is not on the active branch", async () => {
    const ids = await conversation("refuse-off-branch", 1);
    await regenerate("refuse-off-branch", ids[1]!);
    await refusedUnchanged("refuse-off-branch", () => regenerate("refuse-off-branch", ids[1]!), 400, /not on the active branch: select it/);
    await refusedUnchanged("refuse-off-branch", () => edit("refuse-off-branch", ids[1]!, "text"), 400, /not on the active branch/);
  });

  it("refuses to regenerate a greeting (it is swiped, not generated)", async () => {
    await api("POST", "/api/v1/characters", { body: { id: "hello-char", name: "Hello", first_message: "Hello!", alternate_greetings: ["Hi!"] } });
    await send({ message: "hi", character_id: "hello-char", session_id: "refuse-greeting" });
    const [greeting] = await activeBranch("refuse-greeting");
    await refusedUnchanged("refuse-greeting", () => regenerate("refuse-greeting", greeting!.id), 400, /greeting.*select one of its siblings/);
  });

  it("refuses an empty or over-long edit", async () => {
    const ids = await conversation("refuse-edit", 1);
    await refusedUnchanged("refuse-edit", () => edit("refuse-edit", ids[0]!, "   "), 400, /must not be empty/);
    await refusedUnchanged("refuse-edit", () => edit("refuse-edit", ids[0]!, "x".repeat(16 * 1024 + 1)), 400, /at most 16384 bytes/);
    await refusedUnchanged("refuse-edit", () => edit("refuse-edit", ids[1]!, ""), 400, /must not be empty/);
    expect((await siblings("refuse-edit", ids[0]!)).json.siblings).toHaveLength(1);
  });

  it("answers 404 for a message the session does not hold (one of another session included) and for an unknown session", async () => {
    const ids = await conversation("refuse-unknown", 1);
    const elsewhere = await conversation("refuse-elsewhere", 1);
    for (const call of [
      () => regenerate("refuse-unknown", "msg_nothing"),
      () => regenerate("refuse-unknown", elsewhere[1]!),
      () => edit("refuse-unknown", "msg_nothing", "x"),
      () => continueReply("refuse-unknown", elsewhere[1]!),
      () => select("refuse-unknown", elsewhere[1]!),
      () => siblings("refuse-unknown", "msg_nothing"),
      () => remove("refuse-unknown", elsewhere[0]!),
      () => fork("refuse-unknown", elsewhere[0]!),
    ]) {
      await refusedUnchanged("refuse-unknown", call, 404, /No message msg_\w+ in this session/);
    }
    expect((await regenerate("no-such-session", ids[1]!)).status).toBe(404);
    expect((await select("no-such-session", ids[1]!)).status).toBe(404);
    expect((await fork("no-such-session", ids[1]!)).status).toBe(404);
    expect((await activeBranch("refuse-elsewhere")).map((m) => m.id)).toEqual(elsewhere);
  });

  it("answers 403 to another key for every route, and 400 without a session_id", async () => {
    const owner = await createKey("tree-owner");
    const other = await createKey("tree-other");
    const ids = await conversation("refuse-other-key", 1, owner.key);
    for (const call of [
      () => regenerate("refuse-other-key", ids[1]!, {}, other.key),
      () => edit("refuse-other-key", ids[0]!, "mine now", {}, other.key),
      () => continueReply("refuse-other-key", ids[1]!, {}, other.key),
      () => select("refuse-other-key", ids[1]!, other.key),
      () => siblings("refuse-other-key", ids[1]!, other.key),
      () => remove("refuse-other-key", ids[1]!, other.key),
      () => fork("refuse-other-key", ids[1]!, other.key),
    ]) {
      expect((await call()).status).toBe(403);
    }
    expect((await activeBranch("refuse-other-key", owner.key)).map((m) => m.id)).toEqual(ids);
    const missing = await api("POST", `/api/v1/chat/messages/${ids[1]}/regenerate`, { body: {}, key: owner.key });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/session_id/);
  });
});

describe("faults and order", () => {
  it("keeps the old reply active and stores no sibling when the LLM fails during a regeneration", async () => {
    const ids = await conversation("regenerate-llm-down", 1);
    // The emulator fails on [[fail]] anywhere in the prompt: here in the user's name, in the system prompt.
    const res = await regenerate("regenerate-llm-down", ids[1]!, { context: { user_name: "[[fail]]" } });
    expect(res.status).toBe(503);
    expect(res.json.error.message).toMatch(/nothing was stored and the active branch is unchanged/);
    expect((await activeBranch("regenerate-llm-down")).map((m) => m.id)).toEqual(ids);
    expect((await siblings("regenerate-llm-down", ids[1]!)).json.siblings).toHaveLength(1);
    // A failed continue changes nothing either.
    expect((await continueReply("regenerate-llm-down", ids[1]!, { context: { user_name: "[[fail]]" } })).status).toBe(503);
    expect((await activeBranch("regenerate-llm-down")).map((m) => m.id)).toEqual(ids);
  });

  it("runs a regeneration after the reply being generated, never inside it", async () => {
    const ids = await conversation("regenerate-queued", 1);
    const order: string[] = [];
    const slow = send({ message: "a slow one [[slow:30]]", session_id: "regenerate-queued" }).then((res) => {
      order.push("turn");
      return res;
    });
    // Sent once the slow turn has stored its message (it is streaming then): the regeneration waits its
    // turn, then swipes the first reply, cutting the slow turn from the branch.
    await expect.poll(async () => (await activeBranch("regenerate-queued")).length).toBe(3);
    const swipe = await regenerate("regenerate-queued", ids[1]!).then((res) => {
      order.push("regenerate");
      return res;
    });
    const turn = await slow;
    expect(order).toEqual(["turn", "regenerate"]);
    expect(turn.status).toBe(200);
    expect(swipe.status).toBe(200);
    expect((await activeBranch("regenerate-queued")).map((m) => m.id)).toEqual([ids[0], swipe.json.message_id]);
    // The slow turn is kept below the first reply.
    await select("regenerate-queued", ids[1]!);
    expect((await activeBranch("regenerate-queued")).map((m) => m.id)).toEqual([...ids, turn.json.user_message_id, turn.json.message_id]);
  });
});
