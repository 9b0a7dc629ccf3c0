import { createRoute, z } from "@hono/zod-openapi";
import { MessageParams, RegenerateRequest } from "../../../shared/schemas/branches";
import { SendMessageResponse } from "../../../shared/schemas/chat";
import { createRouter, errorResponses, jsonBody, unavailableResponse } from "../openapi";
import { answerTreeTurn } from "./turn-answer";

const route = createRoute({
  method: "post",
  path: "/messages/{message_id}/regenerate",
  summary: "Swipe: a new reply in place of a reply on the active branch, at any depth",
  description:
    "The new reply has the same parent, is generated from the history above it and becomes active; the old one and what followed it stay reachable (`select`). A failed generation changes nothing. Streams as POST /chat/message with `stream`.",
  request: { params: MessageParams, body: jsonBody(RegenerateRequest) },
  responses: {
    200: {
      description: "The new reply, as POST /chat/message answers",
      content: { "application/json": { schema: SendMessageResponse }, "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const regenerate = createRouter().openapi(route, async (c) => {
  const { message_id } = c.req.valid("param");
  return answerTreeTurn(c, { kind: "regenerate", messageId: message_id }, c.req.valid("json"));
});
