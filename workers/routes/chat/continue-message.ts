import { createRoute, z } from "@hono/zod-openapi";
import { ContinueRequest, MessageParams } from "../../../shared/schemas/branches";
import { SendMessageResponse } from "../../../shared/schemas/chat";
import { createRouter, errorResponses, jsonBody, unavailableResponse } from "../openapi";
import { answerTreeTurn } from "./turn-answer";

const route = createRoute({
  method: "post",
  path: "/messages/{message_id}/continue",
  summary: "Continue the active branch's last reply where it stopped",
  description:
    "The new sibling holds the old text plus what the LLM adds, and becomes active. Streamed, its first `response_chunk` is the old text, so the chunks add up to the new message.",
  request: { params: MessageParams, body: jsonBody(ContinueRequest) },
  responses: {
    200: {
      description: "The continued reply, as POST /chat/message answers",
      content: { "application/json": { schema: SendMessageResponse }, "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const continueMessage = createRouter().openapi(route, async (c) => {
  const { message_id } = c.req.valid("param");
  return answerTreeTurn(c, { kind: "continue", messageId: message_id }, c.req.valid("json"));
});
