import { createRoute } from "@hono/zod-openapi";
import { RateMessageParams, RateMessageRequest, RatingResponse } from "../../../shared/schemas/ratings";
import { ApiError, unwrap } from "../../api-error";
import { getDb } from "../../db/client";
import { upsertRating } from "../../db/ratings";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/messages/{message_id}/rating",
  summary: "Rate a character's reply from 1 to 5 (rating again replaces the rating)",
  request: { params: RateMessageParams, body: jsonBody(RateMessageRequest) },
  responses: { 200: jsonResponse(RatingResponse, "The stored rating"), ...errorResponses },
});

export const rateMessage = createRouter().openapi(route, async (c) => {
  const { message_id } = c.req.valid("param");
  const { session_id, rating } = c.req.valid("json");
  const caller = c.get("caller");
  c.set("sessionId", session_id);
  // The session's object checks ownership (403 for another key) and that the message is in it (404).
  const message = unwrap(await sessionStub(c.env, session_id).getMessage(caller, message_id));
  if (message.role !== "assistant") throw new ApiError("INVALID_REQUEST", "Only a character's replies can be rated");

  const [stored] = await upsertRating(
    getDb(c.env.DB),
    { messageId: message_id, sessionId: session_id, characterId: message.character_id, keyId: caller.keyId, rating },
    new Date().toISOString(),
  );
  return c.json(
    {
      message_id,
      session_id,
      character_id: message.character_id,
      rating,
      created_at: stored!.createdAt,
      updated_at: stored!.updatedAt,
    },
    200,
  );
});
