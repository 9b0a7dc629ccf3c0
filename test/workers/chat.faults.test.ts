import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, fullHistory, readResponse, send } from "../support/api";
import { env } from "../support/env";
import { connect, ofType } from "../support/ws";

const worker = (exports as unknown as { default: Fetcher }).default;

// Statistics are written to D1 after the reply is stored; without their table every such write fails.
beforeAll(async () => {
  await env.DB.exec("DROP TABLE conversations");
});

describe("a failure after the reply is stored", () => {
  it("still answers the HTTP turn with the reply", async () => {
    const res = await send({ message: "count me", session_id: "stats-down-http" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.response).toContain('"count me"');
    expect((await fullHistory("stats-down-http")).map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("still ends the SSE stream with the response event", async () => {
    const res = await readResponse(
      await worker.fetch("http://localhost/api/v1/chat/message", {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" },
        // Text only: a voiced reply's stream would stay open for its audio.
        body: JSON.stringify({ message: "stream me anyway", session_id: "stats-down-sse", stream: true, media: false }),
      }),
    );
    const events = [...res.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.at(-1)).toBe("response");
  });

  it("still sends the response frame over the WebSocket", async () => {
    const socket = await connect();
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "stats-down-ws" });
    socket.send({ type: "message", content: "say it anyway" });
    expect((await socket.next(ofType("response"))).content).toContain('"say it anyway"');
    expect(socket.frames.some(ofType("error"))).toBe(false);
    socket.ws.close(1000);
  });
});

describe("a failing LLM", () => {
  it("tells the client the provider failed without passing on the provider's own text", async () => {
    const res = await send({ message: "speak nonsense [[garbage]]", session_id: "llm-garbage" });
    expect(res.status).toBe(503);
    expect(res.json.error.message).toBe("The LLM provider failed; your message was stored without a reply");
    expect(res.json.error.details.user_message_id).toMatch(/^msg_/);
  });
});
