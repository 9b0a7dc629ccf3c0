import { z } from "zod";
import { CharacterId, SessionId } from "./common";

/** How a group session picks who answers (CHARACTER-ENGINE.md §5, SillyTavern's activation strategies). */
export const GroupStrategy = z.enum(["natural", "list", "pooled", "manual"]);
export type GroupStrategy = z.infer<typeof GroupStrategy>;

const MAX_GROUP_MEMBERS = 8;

const MemberIds = z
  .array(CharacterId)
  .min(1, "character_ids must name at least one character")
  .max(MAX_GROUP_MEMBERS, `character_ids holds at most ${MAX_GROUP_MEMBERS} characters`)
  .refine((ids) => new Set(ids).size === ids.length, "character_ids must not name a character twice");

export const CreateSessionRequest = z
  .object({
    character_ids: MemberIds,
    strategy: GroupStrategy.default("natural"),
    /** `natural`: may the last speaker answer itself when a turn has no user message (`next`)? */
    allow_self_responses: z.boolean().default(false),
    /** Omitted: a new id. An existing session must be empty, and yours. */
    session_id: SessionId.optional(),
  })
  .strict();
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;

export const UpdateMembersRequest = z.object({ character_ids: MemberIds }).strict();

/** A member as the API shows it: its name and face, and how readily it speaks. */
export const SessionMember = z.object({
  character_id: CharacterId,
  name: z.string(),
  avatar_url: z.string().nullable(),
  /** 0 to 1: how readily it speaks unprompted in `natural` (its card's `extensions.talkativeness`, default 0.5). */
  talkativeness: z.number(),
});
export type SessionMember = z.infer<typeof SessionMember>;

export const GroupSession = z.object({
  session_id: SessionId,
  /** false: a one-character session (its members are the characters that spoke in it, strategy manual). */
  group: z.boolean(),
  members: z.array(SessionMember),
  strategy: GroupStrategy,
  allow_self_responses: z.boolean(),
});
export type GroupSession = z.infer<typeof GroupSession>;
