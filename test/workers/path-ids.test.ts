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
    .filter((line) => line?.msg === "request");
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
