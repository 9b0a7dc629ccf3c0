/**
 * Ids in paths: one that names nothing is 404 NOT_FOUND whatever its shape; only input that could never
 * be an id (not decodable, over 200 characters) is 400. Every answer still writes its request log line.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../support/api";
import { callWith } from "../support/app";

afterEach(() => vi.restoreAllMocks());

/** The request log lines written while `run` ran (workers/middleware/access-log.ts). */
async function logLines<T>(run: () => Promise<T>): Promise<{ result: T; lines: any[] }> {
  const log = vi.spyOn(console, "log");
  const result = await run();
  const lines = log.mock.calls
    .map(([first]) => (typeof first === "string" && first.startsWith("{") ? JSON.parse(first) : undefined))
    .filter((line) => line?.event === "request");
  return { result, lines };
}

describe("a path that is not valid percent-encoding", () => {
  it("is 400 INVALID_REQUEST, and its request log line is written", async () => {
    const { result, lines } = await logLines(() => callWith({}, "GET", "/api/v1/chat/history/%ZZ"));
    expect(result.status).toBe(400);
    expect(result.json.error.code).toBe("INVALID_REQUEST");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "GET", status: 400, request_id: result.json.error.request_id });
  });

  it("is 400 on the other routes with an id too", async () => {
    for (const path of ["/api/v1/characters/%E0%A4%A", "/api/v1/keys/%ZZ", "/api/v1/media/status/%ZZ"]) {
      const method = path.includes("/keys/") ? "DELETE" : "GET";
      const res = await api(method, path);
      expect(res.status, path).toBe(400);
    }
  });
});

describe("a well-encoded percent sign", () => {
  it("is a character of the id, not a malformed escape", async () => {
    const res = await api("GET", "/api/v1/chat/history/%2525ZZ");
    expect(res.status).not.toBe(500);
    expect(res.json.error.message).not.toMatch(/percent-encoding/);
  });
});

describe("an id in a path that names nothing", () => {
  const notFound = async (method: string, path: string, body?: unknown) => {
    const res = await api(method, path, { body });
    expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
    expect(res.json.error.code).toBe("NOT_FOUND");
  };

  it("is 404 for a media request, whatever its shape", async () => {
    await notFound("GET", "/api/v1/media/status/media_req_doesnotexist");
    await notFound("GET", "/api/v1/media/status/media_0000000000000000");
    await notFound("GET", "/api/v1/media/status/no-such-request");
    await notFound("DELETE", "/api/v1/media/status/media_req_doesnotexist");
  });

  it("is 404 for a character, whatever its shape", async () => {
    for (const id of ["no-such-character", "Not_A_Slug", "with.dot", "%C3%A9lodie"]) {
      await notFound("GET", `/api/v1/characters/${id}`);
      await notFound("GET", `/api/v1/characters/${id}/export`);
      await notFound("PUT", `/api/v1/characters/${id}`, { description: "x" });
      await notFound("DELETE", `/api/v1/characters/${id}`);
    }
  });

  it("is 404 for a key, whatever its shape", async () => {
    await notFound("DELETE", "/api/v1/keys/key_doesnotexist");
    await notFound("DELETE", "/api/v1/keys/not-a-key-id");
  });

  it("is 404 for a session's history, whatever its shape", async () => {
    for (const id of ["sess-doesnotexist", "has%20space", "%C3%A9t%C3%A9", "%2525ZZ"]) {
      await notFound("GET", `/api/v1/chat/history/${id}`);
      await notFound("DELETE", `/api/v1/chat/history/${id}`);
    }
  });

  it("is 404 for a session's media settings, whatever its shape", async () => {
    for (const id of ["sess-doesnotexist", "has%20space", "%C3%A9t%C3%A9"]) {
      await notFound("GET", `/api/v1/media/sessions/${id}`);
      await notFound("PUT", `/api/v1/media/sessions/${id}`, { voice: false });
    }
  });

  it("is 404 for a message to rate, whatever its shape", async () => {
    const session = await api("POST", "/api/v1/chat/message", { body: { message: "Hello" } });
    expect(session.status).toBe(200);
    for (const id of ["msg_doesnotexist", "not-a-message"]) {
      await notFound("POST", `/api/v1/chat/messages/${id}/rating`, { session_id: session.json.session_id, rating: 4 });
    }
  });

  it("is 400 only when it could never be an id (over 200 characters)", async () => {
    const long = "a".repeat(201);
    for (const [method, path] of [
      ["GET", `/api/v1/characters/${long}`],
      ["DELETE", `/api/v1/keys/${long}`],
      ["GET", `/api/v1/media/status/${long}`],
      ["GET", `/api/v1/chat/history/${long}`],
    ] as const) {
      const res = await api(method, path);
      expect(res.status, path).toBe(400);
      expect(res.json.error.code).toBe("INVALID_REQUEST");
    }
  });
});
