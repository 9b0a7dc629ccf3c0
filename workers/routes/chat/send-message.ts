import { createRoute } from "@hono/zod-openapi";
import { SendMessageRequest, SendMessageResponse } from "../../../shared/schemas/chat";
import { ApiError, unwrap } from "../../api-error";
import { randomId } from "../../auth/api-keys";
import { getCharacterRow } from "../../db/characters";
import { getDb } from "../../db/client";
import { recordConversationTurn } from "../../db/conversations";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { startReplyMedia } from "../../media/reply-media";
import { createRouter, errorResponses, jsonBody, jsonResponse, unavailableResponse } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/message",
  summary: "Send a message to a character and get its reply",
  request: { body: jsonBody(SendMessageRequest) },
  responses: {
    200: jsonResponse(SendMessageResponse, "The character's reply"),
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const sendMessage = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const caller = c.get("caller");
  const db = getDb(c.env.DB);
  const character = await getCharacterRow(db, body.character_id);
  if (!character) throw new ApiError("NOT_FOUND", `No character ${body.character_id}`);

  const sessionId = body.session_id ?? randomId("sess_");
  const { user, reply } = unwrap(
    await sessionStub(c.env, sessionId).sendMessage({
      caller,
      character: {
        id: character.id,
        name: character.name,
        description: character.description,
        personality: character.personality,
        configuration: character.configuration,
      },
      message: body.message,
      userName: body.context?.user_name,
      includeHistory: body.context?.conversation_history !== false,
    }),
  );
  await recordConversationTurn(db, sessionId, character.id, caller.keyId, reply.timestamp);
  const media = await startReplyMedia(c.env, c.executionCtx, { caller, sessionId, messageId: reply.id, character, text: reply.content, options: body.media });

  return c.json(
    {
      response: reply.content,
      character_id: character.id,
      session_id: sessionId,
      message_id: reply.id,
      user_message_id: user.id,
      timestamp: reply.timestamp,
      media,
      metadata: reply.metadata!,
    },
    200,
  );
});
