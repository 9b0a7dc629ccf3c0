import { env } from "../support/env";
import { describe, expect, it } from "vitest";
import { api, createKey, fullHistory, history, send } from "../support/api";

const expectError = (res: { status: number; json: any; headers: Headers }, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.json.error.code).toBe(code);
  expect(res.json.error.message).toEqual(expect.any(String));
  expect(res.json.error.request_id).toBe(res.headers.get("X-Request-Id"));
};

const conversationsCount = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM conversations").first<{ n: number }>())!.n;

describe("bad input answers INVALID_REQUEST and changes nothing", () => {
  const cases: [string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }][] = [
    ["malformed JSON", { rawBody: '{"message": "hi", ' }],
    ["a body that is not JSON", { rawBody: "message=hi", headers: { "Content-Type": "text/plain" } }],
    ["a missing message", { body: { character_id: "assistant", session_id: "untouched" } }],
    ["a message that is not a string", { body: { message: 42, session_id: "untouched" } }],
    ["an empty message", { body: { message: "", session_id: "untouched" } }],
    ["a blank message", { body: { message: "   \n ", session_id: "untouched" } }],
    ["a message over 16 KB", { body: { message: "x".repeat(16 * 1024 + 1), session_id: "untouched" } }],
    ["a 16 KB message of multi-byte characters", { body: { message: "é".repeat(8193), session_id: "untouched" } }],
    ["a body over 64 KB", { body: { message: "hi", session_id: "untouched", context: { pad: "x".repeat(70_000) } } }],
    ["an invalid session_id", { body: { message: "hi", session_id: "../../etc/passwd" } }],
    ["a session_id of the wrong type", { body: { message: "hi", session_id: 7 } }],
    ["a malformed character_id", { body: { message: "hi", character_id: "Not A Slug!", session_id: "untouched" } }],
    ["a context of the wrong shape", { body: { message: "hi", session_id: "untouched", context: { user_name: 5 } } }],
  ];

  it.each(cases)("%s", async (_, call) => {
    const res = await api("POST", "/api/v1/chat/message", call);
    expectError(res, 400, "INVALID_REQUEST");
    expect((await history("untouched")).status).toBe(404);
    expect(await conversationsCount()).toBe(0);
  });

  it("names the failing field in details", async () => {
    const res = await send({ message: 42 });
    expect(res.json.error.details.issues[0].path).toBe("message");
  });

  it("accepts a message of exactly 16 KB", async () => {
    expect((await send({ message: "x".repeat(16 * 1024), session_id: "full" })).status).toBe(200);
  });

  it("rejects bad history queries", async () => {
    await send({ message: "hi", session_id: "queried" });
    for (const query of ["limit=0", "limit=201", "limit=abc", "offset=-1", "order=sideways", "after=nonsense"]) {
      expectError(await history("queried", query), 400, "INVALID_REQUEST");
    }
    expectError(await history("queried", "after=msg_doesnotexist"), 400, "INVALID_REQUEST");
  });
});

describe("unknown things answer NOT_FOUND", () => {
  it("an unknown character, without touching the session", async () => {
    expectError(await send({ message: "hi", character_id: "nobody", session_id: "nobody-session" }), 404, "NOT_FOUND");
    expect((await history("nobody-session")).status).toBe(404);
  });

  it("an unknown session's history, and clearing it", async () => {
    expectError(await history("never-used"), 404, "NOT_FOUND");
    expectError(await api("DELETE", "/api/v1/chat/history/never-used"), 404, "NOT_FOUND");
  });

  it("an unknown route, as JSON", async () => {
    const res = await api("GET", "/api/v1/nothing-here");
    expectError(res, 404, "NOT_FOUND");
    expect(res.headers.get("Content-Type")).toContain("application/json");
    expectError(await api("PATCH", "/api/v1/characters"), 404, "NOT_FOUND");
  });
});

describe("auth", () => {
  it("refuses a missing, malformed or unknown key", async () => {
    expectError(await send({ message: "hi" }, null as unknown as string), 401, "UNAUTHORIZED");
    expectError(await api("GET", "/api/v1/characters", { key: null }), 401, "UNAUTHORIZED");
    expectError(await api("GET", "/api/v1/characters", { key: null, headers: { Authorization: "Basic abc" } }), 401, "UNAUTHORIZED");
    expectError(await api("GET", "/api/v1/characters", { key: "chk_not_a_real_key" }), 401, "UNAUTHORIZED");
  });

  it("refuses another key's session, and leaves it as it was", async () => {
    const owner = await createKey("owner");
    const intruder = await createKey("intruder");
    await send({ message: "mine", session_id: "private" }, owner.key);
    expectError(await send({ message: "let me in", session_id: "private" }, intruder.key), 403, "FORBIDDEN");
    expectError(await history("private", "", intruder.key), 403, "FORBIDDEN");
    expectError(await api("DELETE", "/api/v1/chat/history/private", { key: intruder.key }), 403, "FORBIDDEN");
    const kept = await fullHistory("private", owner.key);
    expect(kept.map((m) => m.content)).toEqual(["mine", expect.stringContaining('"mine"')]);
  });

  it("lets the admin key read any session", async () => {
    const owner = await createKey("owner");
    await send({ message: "mine", session_id: "audited" }, owner.key);
    expect((await history("audited")).json.total_count).toBe(2);
  });
});

describe("LLM faults answer SERVICE_UNAVAILABLE and keep the history consistent", () => {
  it.each(["[[fail]]", "[[hang]]", "[[garbage]]", "[[cut]]", "[[empty]]"])("%s", async (marker) => {
    const session_id = `fault-${marker.replace(/\W/g, "")}`;
    await send({ message: "before", session_id });
    const res = await send({ message: `trouble ${marker}`, session_id });
    expectError(res, 503, "SERVICE_UNAVAILABLE");
    const all = await fullHistory(session_id);
    // The user's message is kept exactly once and no partial reply is stored.
    expect(all.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(all[2].content).toBe(`trouble ${marker}`);
    expect(res.json.error.details.user_message_id).toBe(all[2].id);
    // The session goes on working after the fault.
    const after = await send({ message: "after", session_id });
    expect(after.status).toBe(200);
    expect((await fullHistory(session_id)).map((m) => m.role)).toEqual(["user", "assistant", "user", "user", "assistant"]);
  });
});
