import { z } from "zod";
import { CharacterId, Timestamp } from "./common";

export const Capability = z.enum(["text", "voice", "video"]);

export const CharacterConfiguration = z.object({
  temperature: z.number().min(0).max(2),
  max_tokens: z.number().int().min(1).max(32768),
  system_prompt: z.string().max(16384),
});
export type CharacterConfiguration = z.infer<typeof CharacterConfiguration>;

const fields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000),
  personality: z.string().max(2000),
  avatar_url: z.string().max(2048).nullable(),
  voice_model: z.string().max(200).nullable(),
  video_model: z.string().max(200).nullable(),
  capabilities: z.array(Capability).min(1),
};

export const CharacterSummary = z.object({ id: CharacterId, ...fields });

export const CharacterStatistics = z.object({
  total_conversations: z.number().int(),
  /** null until a reply of the character has been rated. */
  average_rating: z.number().nullable(),
  last_updated: Timestamp,
});

export const Character = CharacterSummary.extend({
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
});
export type CreateCharacterRequest = z.infer<typeof CreateCharacterRequest>;

export const UpdateCharacterRequest = z
  .object({
    ...fields,
    configuration: CharacterConfiguration.partial(),
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
