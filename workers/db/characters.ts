import { and, asc, count, eq, sql } from "drizzle-orm";
import type { Character, CreateCharacterRequest, UpdateCharacterRequest } from "../../shared/schemas/characters";
import type { CardCharacterFields } from "../cards/convert";
import type { Db } from "./client";
import { averageRatingQuery, roundRating } from "./ratings";
import { characters, conversations, lorebooks, type CharacterRow, type StoredConfiguration } from "./schema";

const DEFAULT_CONFIGURATION: StoredConfiguration = { temperature: 0.7, max_tokens: 1024, system_prompt: "" };

export function toSummary(row: CharacterRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    personality: row.personality,
    avatar_url: row.avatarUrl,
    voice_model: row.voiceModel,
    video_model: row.videoModel,
    capabilities: row.capabilities,
  };
}

export const listCharacters = (db: Db) => db.select().from(characters).orderBy(asc(characters.createdAt), asc(characters.id));

export const getCharacterRow = async (db: Db, id: string) => (await db.select().from(characters).where(eq(characters.id, id)).limit(1))[0];

export interface CharacterStatistics {
  total_conversations: number;
  average_rating: number | null;
}

/** Counted from the conversations and ratings tables: the part of the detail view no cache keeps. */
export async function characterStatistics(db: Db, id: string): Promise<CharacterStatistics> {
  const [[stats], [rated]] = await db.batch([
    db.select({ total: count() }).from(conversations).where(eq(conversations.characterId, id)),
    averageRatingQuery(db, id),
  ]);
  return { total_conversations: stats?.total ?? 0, average_rating: roundRating(rated?.average) };
}

/** The detail view of a character. */
export function toDetail(character: CharacterRow, statistics: CharacterStatistics): Character {
  return {
    ...toSummary(character),
    scenario: character.scenario,
    first_message: character.firstMessage,
    example_messages: character.exampleMessages,
    post_history_instructions: character.postHistoryInstructions,
    alternate_greetings: character.alternateGreetings,
    creator_notes: character.creatorNotes,
    tags: character.tags,
    creator: character.creator,
    character_version: character.characterVersion,
    nickname: character.nickname,
    lorebook_ids: character.lorebookIds,
    configuration: character.configuration,
    statistics: { ...statistics, last_updated: character.updatedAt },
  };
}

/** The detail view as the primary has it: what a write answers with. */
export async function getCharacter(db: Db, id: string): Promise<Character | undefined> {
  const row = await getCharacterRow(db, id);
  return row && toDetail(row, await characterStatistics(db, id));
}

/**
 * A character's lorebook_ids without the ids of lorebooks that no longer exist. Callers check the ids
 * first (and answer 404 for a missing one); this runs in the same batch as their write, so a lorebook
 * deleted between the check and the write is not left attached.
 */
const dropDeletedLorebooks = (db: Db, id: string) =>
  db
    .update(characters)
    .set({
      lorebookIds: sql`(SELECT json_group_array(value) FROM json_each(${characters.lorebookIds}) WHERE value IN (SELECT ${lorebooks.id} FROM ${lorebooks}))`,
    })
    .where(
      and(
        eq(characters.id, id),
        sql`EXISTS (SELECT 1 FROM json_each(${characters.lorebookIds}) WHERE value NOT IN (SELECT ${lorebooks.id} FROM ${lorebooks}))`,
      ),
    );

/** Inserts unless the id is taken; answers whether it inserted. */
export async function createCharacter(db: Db, body: CreateCharacterRequest, now: string): Promise<boolean> {
  const [inserted] = await db.batch([
    db
      .insert(characters)
      .values({
        ...columnsOf(body),
        id: body.id,
        name: body.name,
        capabilities: body.capabilities,
        configuration: { ...DEFAULT_CONFIGURATION, ...body.configuration },
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: characters.id }),
    dropDeletedLorebooks(db, body.id),
  ]);
  return inserted.length === 1;
}

/** The API's fields as the table's columns; a field absent from `body` stays undefined (left as is). */
function columnsOf(body: Partial<Omit<CreateCharacterRequest, "id" | "configuration">>) {
  return {
    name: body.name,
    description: body.description,
    personality: body.personality,
    avatarUrl: body.avatar_url,
    voiceModel: body.voice_model,
    videoModel: body.video_model,
    capabilities: body.capabilities,
    scenario: body.scenario,
    firstMessage: body.first_message,
    exampleMessages: body.example_messages,
    postHistoryInstructions: body.post_history_instructions,
    alternateGreetings: body.alternate_greetings,
    creatorNotes: body.creator_notes,
    tags: body.tags,
    creator: body.creator,
    characterVersion: body.character_version,
    nickname: body.nickname,
    lorebookIds: body.lorebook_ids,
  };
}

export async function updateCharacter(db: Db, row: CharacterRow, body: UpdateCharacterRequest, now: string) {
  await db.batch([
    db
      .update(characters)
      .set({
        ...columnsOf(body),
        // A partial configuration merges into the stored one, as the reference's PUT example implies.
        configuration: body.configuration ? { ...row.configuration, ...body.configuration } : undefined,
        updatedAt: now,
      })
      .where(eq(characters.id, row.id)),
    dropDeletedLorebooks(db, row.id),
  ]);
}

/**
 * Stores an imported card as character `id`. A new character gets our defaults for what cards do not
 * carry (text only, default temperature); with `overwrite`, an existing one keeps those settings and
 * its statistics, and takes every card field. Answers false if the id is taken and not overwritten.
 */
export async function importCharacter(
  db: Db,
  id: string,
  card: CardCharacterFields,
  options: { avatarUrl?: string; overwrite: boolean; now: string },
): Promise<boolean> {
  const { systemPrompt, ...fields } = card;
  const existing = options.overwrite ? await getCharacterRow(db, id) : undefined;
  if (existing) {
    await db
      .update(characters)
      .set({
        ...fields,
        ...(options.avatarUrl ? { avatarUrl: options.avatarUrl } : {}),
        configuration: { ...existing.configuration, system_prompt: systemPrompt },
        updatedAt: options.now,
      })
      .where(eq(characters.id, id));
    return true;
  }
  const inserted = await db
    .insert(characters)
    .values({
      id,
      ...fields,
      avatarUrl: options.avatarUrl ?? null,
      voiceModel: null,
      videoModel: null,
      capabilities: ["text"],
      configuration: { ...DEFAULT_CONFIGURATION, system_prompt: systemPrompt },
      createdAt: options.now,
      updatedAt: options.now,
    })
    .onConflictDoNothing()
    .returning({ id: characters.id });
  return inserted.length === 1;
}

export async function deleteCharacter(db: Db, id: string): Promise<boolean> {
  const deleted = await db.delete(characters).where(eq(characters.id, id)).returning({ id: characters.id });
  return deleted.length === 1;
}
