import { z } from "zod";
import { CharacterId } from "./common";

/**
 * Character Card V2 and V3, the format SillyTavern and the character hubs exchange.
 * V2: https://github.com/malfoyslastname/character-card-spec-v2/blob/main/spec_v2.md
 * V3: https://github.com/kwaroran/character-card-spec-v3/blob/main/SPEC_V3.md
 * Cards in the wild often leave fields out, so missing strings and lists default to empty;
 * a field of the wrong type is refused.
 */

const LONG = 32_768;
const text = z.string().max(LONG).default("");
const texts = z.array(z.string().max(LONG)).max(100).default([]);
const jsonObject = z.record(z.string(), z.json());
// The same in documented responses: the OpenAPI generator cannot walk z.json()'s recursion.
const documentedJsonObject = z.record(z.string(), z.any());

const cardDataV2 = {
  name: z.string().trim().min(1, "the card has no name").max(100),
  description: text,
  personality: text,
  scenario: text,
  first_mes: text,
  mes_example: text,
  creator_notes: text,
  system_prompt: z.string().max(16_384).default(""),
  post_history_instructions: text,
  alternate_greetings: texts,
  character_book: jsonObject.optional(),
  tags: z.array(z.string().max(100)).max(100).default([]),
  creator: z.string().max(200).default(""),
  character_version: z.string().max(100).default(""),
  extensions: jsonObject.default({}),
};

const CharacterCardV2 = z.object({
  spec: z.literal("chara_card_v2"),
  spec_version: z.string().max(20).optional(),
  data: z.object(cardDataV2),
});

const CharacterCardV3 = z.object({
  spec: z.literal("chara_card_v3"),
  spec_version: z.string().max(20).optional(),
  data: z.object({
    ...cardDataV2,
    nickname: z.string().max(100).optional(),
    group_only_greetings: texts,
    creator_notes_multilingual: z.record(z.string(), z.string().max(LONG)).optional(),
    source: z.array(z.string().max(2048)).max(100).optional(),
    assets: z
      .array(z.object({ type: z.string(), uri: z.string(), name: z.string(), ext: z.string() }))
      .max(100)
      .optional(),
    creation_date: z.number().optional(),
    modification_date: z.number().optional(),
  }),
});

export const CharacterCard = z.discriminatedUnion("spec", [CharacterCardV2, CharacterCardV3]);
export type CharacterCard = z.infer<typeof CharacterCard>;

/** What GET /characters/{id}/export answers: always a V2 card, every field present. */
export const ExportedCard = z.object({
  spec: z.literal("chara_card_v2"),
  spec_version: z.literal("2.0"),
  data: z.object({
    name: z.string(),
    description: z.string(),
    personality: z.string(),
    scenario: z.string(),
    first_mes: z.string(),
    mes_example: z.string(),
    creator_notes: z.string(),
    system_prompt: z.string(),
    post_history_instructions: z.string(),
    alternate_greetings: z.array(z.string()),
    character_book: documentedJsonObject.optional(),
    tags: z.array(z.string()),
    creator: z.string(),
    character_version: z.string(),
    extensions: documentedJsonObject,
  }),
});
export type ExportedCard = z.infer<typeof ExportedCard>;

export const ImportCardQuery = z.object({
  /** The new character's id; by default a slug of the card's name. */
  id: CharacterId.optional(),
  /** Replace the card fields of an existing character with that id instead of answering CONFLICT. */
  overwrite: z.enum(["true", "false"]).optional(),
});
