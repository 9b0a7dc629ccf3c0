import { asc, count, eq } from "drizzle-orm";
import type { Character, CreateCharacterRequest, UpdateCharacterRequest } from "../../shared/schemas/characters";
import type { Db } from "./client";
import { averageRatingQuery, roundRating } from "./ratings";
import { characters, conversations, type CharacterRow, type StoredConfiguration } from "./schema";

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

export const getCharacterRow = async (db: Db, id: string) =>
  (await db.select().from(characters).where(eq(characters.id, id)).limit(1))[0];

/** The detail view, with statistics counted from the conversations and ratings tables. */
export async function getCharacter(db: Db, id: string): Promise<Character | undefined> {
  const [row, [stats], [rated]] = await db.batch([
    db.select().from(characters).where(eq(characters.id, id)).limit(1),
    db.select({ total: count() }).from(conversations).where(eq(conversations.characterId, id)),
    averageRatingQuery(db, id),
  ]);
  const character = row[0];
  if (!character) return undefined;
  return {
    ...toSummary(character),
    configuration: character.configuration,
    statistics: {
      total_conversations: stats?.total ?? 0,
      average_rating: roundRating(rated?.average),
      last_updated: character.updatedAt,
    },
  };
}

/** Inserts unless the id is taken; answers whether it inserted. */
export async function createCharacter(db: Db, body: CreateCharacterRequest, now: string): Promise<boolean> {
  const inserted = await db
    .insert(characters)
    .values({
      id: body.id,
      name: body.name,
      description: body.description,
      personality: body.personality,
      avatarUrl: body.avatar_url,
      voiceModel: body.voice_model,
      videoModel: body.video_model,
      capabilities: body.capabilities,
      configuration: { ...DEFAULT_CONFIGURATION, ...body.configuration },
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: characters.id });
  return inserted.length === 1;
}

export async function updateCharacter(db: Db, row: CharacterRow, body: UpdateCharacterRequest, now: string) {
  await db
    .update(characters)
    .set({
      name: body.name,
      description: body.description,
      personality: body.personality,
      avatarUrl: body.avatar_url,
      voiceModel: body.voice_model,
      videoModel: body.video_model,
      capabilities: body.capabilities,
      // A partial configuration merges into the stored one, as the reference's PUT example implies.
      configuration: body.configuration ? { ...row.configuration, ...body.configuration } : undefined,
      updatedAt: now,
    })
    .where(eq(characters.id, row.id));
}

export async function deleteCharacter(db: Db, id: string): Promise<boolean> {
  const deleted = await db.delete(characters).where(eq(characters.id, id)).returning({ id: characters.id });
  return deleted.length === 1;
}
