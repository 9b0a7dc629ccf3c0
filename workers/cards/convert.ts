import type { CharacterCard, ExportedCard } from "../../shared/schemas/character-cards";
import type { CharacterRow, JsonValue } from "../db/schema";
import { sha256Hex } from "../../shared/crypto";

/** The character fields a card defines; the rest (voice, capabilities, temperature...) are ours. */
export interface CardCharacterFields {
  name: string;
  description: string;
  personality: string;
  scenario: string;
  firstMessage: string;
  exampleMessages: string;
  postHistoryInstructions: string;
  alternateGreetings: string[];
  creatorNotes: string;
  tags: string[];
  creator: string;
  characterVersion: string;
  nickname: string | null;
  extensions: Record<string, JsonValue>;
  characterBook: Record<string, JsonValue> | null;
  systemPrompt: string;
}

export function cardToCharacter(card: CharacterCard): CardCharacterFields {
  const data = card.data;
  return {
    name: data.name,
    description: data.description,
    personality: data.personality,
    scenario: data.scenario,
    firstMessage: data.first_mes,
    exampleMessages: data.mes_example,
    postHistoryInstructions: data.post_history_instructions,
    alternateGreetings: data.alternate_greetings,
    // V3: creator_notes is the English note; with only a multilingual map, take its English entry.
    creatorNotes: data.creator_notes || (card.spec === "chara_card_v3" ? (card.data.creator_notes_multilingual?.en ?? "") : ""),
    tags: data.tags,
    creator: data.creator,
    characterVersion: data.character_version,
    nickname: card.spec === "chara_card_v3" && card.data.nickname ? card.data.nickname : null,
    extensions: data.extensions as Record<string, JsonValue>,
    characterBook: (data.character_book as Record<string, JsonValue> | undefined) ?? null,
    systemPrompt: data.system_prompt,
  };
}

/** A character as a Character Card V2. */
export function characterToCard(row: CharacterRow): ExportedCard {
  return {
    spec: "chara_card_v2",
    spec_version: "2.0",
    data: {
      name: row.name,
      description: row.description,
      personality: row.personality,
      scenario: row.scenario,
      first_mes: row.firstMessage,
      mes_example: row.exampleMessages,
      creator_notes: row.creatorNotes,
      system_prompt: row.configuration.system_prompt,
      post_history_instructions: row.postHistoryInstructions,
      alternate_greetings: row.alternateGreetings,
      ...(row.characterBook ? { character_book: row.characterBook } : {}),
      tags: row.tags,
      creator: row.creator,
      character_version: row.characterVersion,
      extensions: row.extensions,
    },
  };
}

/**
 * A character id from a card's name: lowercase ASCII letters and digits joined by "-", at most 64.
 * Names with no such characters (e.g. all CJK) get "character-" and a hash of the name.
 */
export async function slugFor(name: string): Promise<string> {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  if (slug) return slug;
  return `character-${(await sha256Hex(name)).slice(0, 8)}`;
}
