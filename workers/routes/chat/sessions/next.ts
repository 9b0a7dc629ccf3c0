import { createRoute, z } from "@hono/zod-openapi";
import { ChatContext, ReplyMediaOption, TurnResponse } from "../../../../shared/schemas/chat";
import { CharacterId } from "../../../../shared/schemas/common";
import { createRouter, errorResponses, jsonBody, unavailableResponse } from "../../openapi";
import { existingSessionShape, SessionParams } from "../../session-param";
import { answerTurn } from "../turn-answer";

const NextRequest = z
  .object({
    /** The member who speaks; omitted: the strategy picks one (in `natural`, not the last speaker unless self-responses are allowed). */
    character_id: CharacterId.optional(),
    context: ChatContext.optional(),
    stream: z.boolean().optional(),
    media: ReplyMediaOption.optional(),
  })
  .strict();

const route = createRoute({
  method: "post",
  path: "/sessions/{session_id}/next",
  summary: "Make a character speak without a user message (an app's auto mode)",
  request: { params: SessionParams, body: jsonBody(NextRequest) },
  responses: {
    200: {
      description: "The reply, as POST /chat/message answers (and streams with `stream`)",
      content: { "application/json": { schema: TurnResponse }, "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const nextSpeaker = createRouter().openapi(route, async (c) => {
  const sessionId = existingSessionShape(c.req.valid("param").session_id);
  const body = c.req.valid("json");
  const request = {
    sessionId,
    caller: c.get("caller"),
    action: { kind: "speak" as const },
    characterId: body.character_id,
    userName: body.context?.user_name,
    userId: body.context?.user_id,
    includeHistory: true,
    media: body.media,
    requestId: c.get("requestId"),
  };
  return answerTurn(c, request, body.stream);
});
