import { examples } from "../../../shared/examples";
import { createRoute, z } from "@hono/zod-openapi";
import { SendMessageRequest, SendMessageResponse } from "../../../shared/schemas/chat";
import { unwrap } from "../../api-error";
import { randomId } from "../../../shared/crypto";
import { toHttpResponse } from "../../chat/http-reply";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, unavailableResponse } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/message",
  summary: "Send a message to a character and get its reply",
  description:
    'With `"stream": true` or `Accept: text/event-stream`, the reply streams as Server-Sent Events: `user_message`, `typing`, `response_chunk` (text deltas), `typing`, then `response` carrying the same body as the non-streaming answer (or `error`).',
  request: { body: jsonBody(SendMessageRequest, examples.sendMessageRequest) },
  responses: {
    200: {
      description: "The character's reply",
      content: {
        "application/json": { schema: SendMessageResponse, example: examples.sendMessageResponse },
        "text/event-stream": { schema: z.string() },
      },
    },
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const sendMessage = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const sessionId = body.session_id ?? randomId("sess_");
  const request = {
    sessionId,
    caller: c.get("caller"),
    characterId: body.character_id,
    message: body.message,
    userName: body.context?.user_name,
    includeHistory: body.context?.conversation_history !== false,
    media: body.media,
    requestId: c.get("requestId"),
  };
  c.set("sessionId", sessionId);
  const stub = sessionStub(c.env, sessionId);

  if (body.stream === true || c.req.header("Accept")?.includes("text/event-stream")) {
    const stream = unwrap(await stub.streamMessage(request, c.get("requestId")));
    return new Response(stream, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Session-Id": sessionId },
    });
  }
  return c.json(toHttpResponse(unwrap(await stub.sendMessage(request))), 200);
});
