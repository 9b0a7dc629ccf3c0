import type { Context } from "hono";
import { unwrap } from "../../api-error";
import { toHttpResponse } from "../../chat/http-reply";
import type { SessionMessageRequest } from "../../durable-objects/chat-session/chat-session";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import type { AppEnv } from "../../env";

/**
 * Runs a turn in its session and answers with the reply (chat/message's body), or, with `stream` or
 * `Accept: text/event-stream`, with the turn's frames as Server-Sent Events.
 */
export async function answerTurn(c: Context<AppEnv>, request: SessionMessageRequest, stream: boolean | undefined): Promise<Response> {
  c.set("sessionId", request.sessionId);
  const stub = sessionStub(c.env, request.sessionId);
  if (stream === true || c.req.header("Accept")?.includes("text/event-stream")) {
    const body = unwrap(await stub.streamMessage(request, c.get("requestId")));
    return new Response(body, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Session-Id": request.sessionId },
    });
  }
  return c.json(toHttpResponse(unwrap(await stub.sendMessage(request))), 200);
}
