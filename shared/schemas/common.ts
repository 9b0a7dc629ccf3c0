import { z } from "zod";
import { ERROR_CODES } from "../errors";

/**
 * An id as a path names it. Anything that could be an id reaches the handler, which answers 404 when it
 * names nothing (a resource that does not exist is 404, whatever the shape of its id); only input that
 * could never be an id (empty, over 200 characters) is 400.
 */
export const PathId = z.string().min(1).max(200);

/** Session ids are chosen by clients, so they are checked before they name a Durable Object. */
export const SessionId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "session_id must be 1-128 characters of A-Z a-z 0-9 _ . : -");

export const CharacterId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "character_id must be a lowercase slug of at most 64 characters");

export const MessageId = z.string().regex(/^msg_[A-Za-z0-9]{1,64}$/, "not a message id");

export const Timestamp = z.string().describe("ISO 8601 UTC timestamp");

export const ErrorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    request_id: z.string(),
    details: z.unknown().optional(),
    retry_after_seconds: z.number().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
