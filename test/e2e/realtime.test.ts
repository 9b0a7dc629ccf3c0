import { describe, expect, inject, it } from "vitest";
import { openSocket } from "./socket";

const baseUrl = inject("stackUrl");
const adminKey = inject("stackAdminKey");
const wsUrl = `${baseUrl.replace(/^http/, "ws")}/api/v1/ws/chat`;

/** A browser-style client, the same API as the reference's example. */
const open = (url = wsUrl) => openSocket(url);

describe("WebSocket against npm start", () => {
  it("runs the reference's example: auth and message sent at once on open", async () => {
    const client = open();
    await client.opened;
    client.send({ type: "auth", token: adminKey, session_id: "e2e-ws" });
    client.send({ type: "message", character_id: "assistant", content: "Hello there!" });
    const response = await client.until((f) => f.type === "response");
    expect(response.content).toContain('"Hello there!"');
    const chunks = client.frames.filter((f) => f.type === "response_chunk");
    expect(chunks.length).toBeGreaterThan(1);
    expect(client.frames.findIndex((f) => f.type === "response_chunk")).toBeLessThan(client.frames.indexOf(response));
    client.ws.close();

    const history = await fetch(`${baseUrl}/api/v1/chat/history/e2e-ws`, { headers: { Authorization: `Bearer ${adminKey}` } }).then(
      (r) => r.json() as Promise<any>,
    );
    expect(history.messages.map((m: any) => m.content)).toEqual(["Hello there!", response.content]);
  });

  it("answers a flood of frames with RATE_LIMIT_EXCEEDED frames and keeps the socket open", async () => {
    const { key } = (await fetch(`${baseUrl}/api/v1/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "flooder" }),
    }).then((r) => r.json())) as { key: string };
    const client = open();
    await client.opened;
    client.send({ type: "auth", token: key, session_id: "e2e-flood" });
    await client.until((f) => f.type === "authenticated");
    // Cancels are cheap frames; the budget (300 a minute in this stack) counts every frame.
    for (let i = 0; i < 320; i++) client.send({ type: "cancel" });
    const limited = await client.until((f) => f.type === "error" && f.code === "RATE_LIMIT_EXCEEDED");
    expect(limited.retry_after_seconds).toBeGreaterThan(0);
    expect(limited.message).toBe("Too many requests");
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.ws.close();
  });

  it("closes a socket that never authenticates after 10 s with 4008", async () => {
    const client = open();
    await client.opened;
    const started = Date.now();
    const event = await client.closed;
    expect(event.code).toBe(4008);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
  }, 20_000);
});
