import { z } from "zod";
import { CharacterId, MessageId, PathId, SessionId, Timestamp } from "./common";

// A message id of any shape reaches the session, which answers 404 for one it does not hold.
export const RateMessageParams = z.object({ message_id: PathId.describe("A message id (msg_...)") });

export const RateMessageRequest = z.object({
  session_id: SessionId,
  rating: z.number().int().min(1).max(5).describe("1 (worst) to 5 (best)"),
});
export type RateMessageRequest = z.infer<typeof RateMessageRequest>;

export const RatingResponse = z.object({
  message_id: MessageId,
  session_id: SessionId,
  character_id: CharacterId,
  rating: z.number().int().min(1).max(5),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type RatingResponse = z.infer<typeof RatingResponse>;
