import { describe, expect, it, vi } from "vitest";
import { createKey } from "../support/api";
import { callWith } from "../support/app";

const requestLines = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls
    .map((c) => String(c[0]))
    .filter((l) => l.startsWith('{"level":"info","event":"request"'))
    .map((l) => JSON.parse(l));

describe("one JSON log line per request", () => {
  it("names the route pattern, status, duration, key id and session id, never the key", async () => {
    const { id, key } = await createKey("logged");
    const log = vi.spyOn(console, "log");
    const sessionId = `logged-${crypto.randomUUID()}`;
    const sent = await callWith({}, "POST", "/api/v1/chat/message", { key, body: { message: "hi", session_id: sessionId } });
    const history = await callWith({}, "GET", `/api/v1/chat/history/${sessionId}`, { key, headers: { "X-Request-Id": "client-chosen-id-42" } });
    const missing = await callWith({}, "GET", "/api/v1/nothing/here", { key });
    // Lines are written after each response; the key's creation may log its own line in this window.
    const lines = requestLines(log).filter((line) => line.key_id === id);
    log.mockRestore();

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      method: "POST",
      route: "/api/v1/chat/message",
      status: 200,
      key_id: id,
      session_id: sessionId,
      request_id: sent.headers.get("X-Request-Id"),
    });
    expect(lines[0].duration_ms).toEqual(expect.any(Number));
    expect(lines[1]).toMatchObject({ route: "/api/v1/chat/history/:session_id", session_id: sessionId, request_id: "client-chosen-id-42" });
    expect(history.headers.get("X-Request-Id")).toBe("client-chosen-id-42");
    expect(lines[2]).toMatchObject({ route: "(unmatched)", status: 404, session_id: null });
    expect(missing.json.error.request_id).toBe(lines[2].request_id);
    expect(JSON.stringify(lines)).not.toContain(key);
  });
});

describe("CORS_ORIGINS", () => {
  const preflight = (origin: string, overrides: Record<string, string>) =>
    callWith(overrides, "OPTIONS", "/api/v1/characters", {
      key: null,
      headers: { Origin: origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
    });

  it("answers preflights for listed origins only, before auth", async () => {
    const overrides = { CORS_ORIGINS: "https://app.example, https://other.example" };
    const allowed = await preflight("https://app.example", overrides);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    expect(allowed.headers.get("Access-Control-Allow-Headers")).toMatch(/authorization/i);
    expect((await preflight("https://evil.example", overrides)).headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("allows any origin with *, and none when unset", async () => {
    expect((await preflight("https://any.example", { CORS_ORIGINS: "*" })).headers.get("Access-Control-Allow-Origin")).toBe("*");
    const unset = await callWith({}, "GET", "/api/v1/health", { key: null, headers: { Origin: "https://app.example" } });
    expect(unset.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("exposes the rate limit and request id headers to scripts", async () => {
    const res = await callWith({ CORS_ORIGINS: "https://app.example" }, "GET", "/api/v1/characters", { headers: { Origin: "https://app.example" } });
    expect(res.headers.get("Access-Control-Expose-Headers")).toMatch(/RateLimit-Remaining/);
    expect(res.headers.get("Access-Control-Expose-Headers")).toMatch(/X-Request-Id/);
  });
});
