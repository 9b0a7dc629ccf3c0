import { z } from "zod";
import { CharacterId, Timestamp } from "./common";
import { LorebookIds } from "./lorebooks";

const Capability = z.enum(["text", "voice", "video"]);

const CharacterConfiguration = z.object({
  temperature: z.number().min(0).max(2),
  max_tokens: z.number().int().min(1).max(32768),
  system_prompt: z.string().max(16384),
});

// Character cards carry long definitions (several thousand characters is common), hence the room here.
const LONG_TEXT_MAX = 32_768;
const longText = z.string().max(LONG_TEXT_MAX);

const fields = {
  name: z.string().trim().min(1).max(100),
  description: longText,
  personality: longText,
  avatar_url: z.string().max(2048).nullable(),
  voice_model: z.string().max(200).nullable(),
  video_model: z.string().max(200).nullable(),
  capabilities: z.array(Capability).min(1),
};

const CharacterSummary = z.object({ id: CharacterId, ...fields });

/** Character Card V2/V3 fields (see docs/character-cards.md); only the detail view shows them. */
const cardFields = {
  scenario: longText,
  /** The greeting a new session starts with ("" for none); {{char}} and {{user}} are substituted. */
  first_message: longText,
  /** Example dialogue, in the cards' `<START>`-separated format. */
  example_messages: longText,
  /** Sent after the history, with the user's newest message. */
  post_history_instructions: longText,
  alternate_greetings: z.array(longText).max(100),
  /** Notes for people browsing characters; never sent to the LLM. */
  creator_notes: longText,
  tags: z.array(z.string().max(100)).max(100),
  creator: z.string().max(200),
  character_version: z.string().max(100),
  /** Used in place of the name for {{char}} when set (Character Card V3). */
  nickname: z.string().max(100).nullable(),
};
const cardDefaults = {
  scenario: cardFields.scenario.default(""),
  first_message: cardFields.first_message.default(""),
  example_messages: cardFields.example_messages.default(""),
  post_history_instructions: cardFields.post_history_instructions.default(""),
  alternate_greetings: cardFields.alternate_greetings.default([]),
  creator_notes: cardFields.creator_notes.default(""),
  tags: cardFields.tags.default([]),
  creator: cardFields.creator.default(""),
  character_version: cardFields.character_version.default(""),
  nickname: cardFields.nickname.default(null),
};

const CharacterStatistics = z.object({
  total_conversations: z.number().int(),
  /** null until a reply of the character has been rated. */
  average_rating: z.number().nullable(),
  last_updated: Timestamp,
});

export const Character = CharacterSummary.extend({
  ...cardFields,
  /** Lorebooks attached to the character (/api/v1/lorebooks), merged with its card's character_book. */
  lorebook_ids: z.array(z.string()),
  configuration: CharacterConfiguration,
  statistics: CharacterStatistics,
});
export type Character = z.infer<typeof Character>;

export const CharacterList = z.object({ characters: z.array(CharacterSummary) });

export const CreateCharacterRequest = z.object({
  id: CharacterId,
  name: fields.name,
  description: fields.description.default(""),
  personality: fields.personality.default(""),
  avatar_url: fields.avatar_url.default(null),
  voice_model: fields.voice_model.default(null),
  video_model: fields.video_model.default(null),
  capabilities: fields.capabilities.default(["text"]),
  configuration: CharacterConfiguration.partial().default({}),
  ...cardDefaults,
  /** Each must name an existing lorebook (else 404 naming it, and nothing is created). */
  lorebook_ids: LorebookIds.default([]),
});
export type CreateCharacterRequest = z.infer<typeof CreateCharacterRequest>;

export const UpdateCharacterRequest = z
  .object({
    ...fields,
    ...cardFields,
    configuration: CharacterConfiguration.partial(),
    /** Replaces the attached lorebooks; each must exist (else 404 naming it, and nothing changes). */
    lorebook_ids: LorebookIds,
  })
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, "the body must change at least one field");
export type UpdateCharacterRequest = z.infer<typeof UpdateCharacterRequest>;

export const DeleteCharacterResponse = z.object({
  message: z.string(),
  character_id: CharacterId,
  deleted_at: Timestamp,
});
