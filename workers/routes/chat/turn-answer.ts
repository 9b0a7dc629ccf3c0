import type { Context } from "hono";
import { unwrap } from "../../api-error";
import { toTurnResponse } from "../../chat/http-reply";
import type { SessionMessageRequest } from "../../durable-objects/chat-session/chat-session";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import type { AppEnv } from "../../env";
import type { TurnAction } from "../../chat/turn-plan";
import type { RegenerateRequest } from "../../../shared/schemas/branches";

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
  return c.json(toTurnResponse(unwrap(await stub.sendMessage(request))), 200);
}

/** A regenerate, continue or answered edit: a turn on a message of the session, with chat/message's options. */
export function answerTreeTurn(c: Context<AppEnv>, action: Exclude<TurnAction, { kind: "message" }>, body: RegenerateRequest): Promise<Response> {
  return answerTurn(
    c,
    {
      sessionId: body.session_id,
      caller: c.get("caller"),
      action,
      userName: body.context?.user_name,
      userId: body.context?.user_id,
      includeHistory: true,
      media: body.media,
      requestId: c.get("requestId"),
    },
    body.stream,
  );
}
