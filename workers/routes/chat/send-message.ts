import { examples } from "../../../shared/examples";
import { createRoute, z } from "@hono/zod-openapi";
import { SendMessageRequest, TurnResponse } from "../../../shared/schemas/chat";
import { randomId } from "../../../shared/crypto";
import { answerTurn } from "./turn-answer";
import { createRouter, errorResponses, jsonBody, unavailableResponse } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/message",
  summary: "Send a message to a character and get its reply",
  description:
    'With `"stream": true` or `Accept: text/event-stream`, the reply streams as Server-Sent Events: `user_message`, `typing`, `response_chunk` (text deltas), `typing`, then `response` carrying the same body as the non-streaming answer (or `error`). A voiced reply also sends `audio_chunk` events (its speech, piece by piece, in `seq` order, often before `response`) and stays open until the `media` event that carries the whole reply\'s audio; `"media": false` ends the stream at `response`.',
  request: { body: jsonBody(SendMessageRequest, examples.sendMessageRequest) },
  responses: {
    200: {
      description: "The character's reply",
      content: {
        "application/json": { schema: TurnResponse, example: examples.sendMessageResponse },
        "text/event-stream": { schema: z.string() },
      },
    },
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const sendMessage = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const request = {
    sessionId: body.session_id ?? randomId("sess_"),
    caller: c.get("caller"),
    action: { kind: "message" as const, text: body.message },
    characterId: body.character_id,
    userName: body.context?.user_name,
    userId: body.context?.user_id,
    includeHistory: body.context?.conversation_history !== false,
    media: body.media,
    requestId: c.get("requestId"),
  };
  return answerTurn(c, request, body.stream);
});
