import { sqliteTable, text } from "drizzle-orm/sqlite-core";

export interface StoredConfiguration {
  temperature: number;
  max_tokens: number;
  system_prompt: string;
}

/** Any JSON value: what a card's `extensions` and `character_book` hold (kept, never interpreted). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const characters = sqliteTable("characters", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  personality: text("personality").notNull().default(""),
  avatarUrl: text("avatar_url"),
  voiceModel: text("voice_model"),
  videoModel: text("video_model"),
  capabilities: text("capabilities", { mode: "json" }).$type<("text" | "voice" | "video")[]>().notNull(),
  configuration: text("configuration", { mode: "json" }).$type<StoredConfiguration>().notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  // Character Card V2/V3 fields. Every one is nullable or defaulted, so the migration is a plain
  // ALTER TABLE ADD COLUMN (a table rebuild on D1 can cascade-delete rows that point at it).
  scenario: text("scenario").notNull().default(""),
  firstMessage: text("first_message").notNull().default(""),
  exampleMessages: text("example_messages").notNull().default(""),
  postHistoryInstructions: text("post_history_instructions").notNull().default(""),
  alternateGreetings: text("alternate_greetings", { mode: "json" }).$type<string[]>().notNull().default([]),
  creatorNotes: text("creator_notes").notNull().default(""),
  tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
  creator: text("creator").notNull().default(""),
  characterVersion: text("character_version").notNull().default(""),
  /** V3: replaces the name in {{char}} when set. */
  nickname: text("nickname"),
  /** Kept so an export gives back what was imported (the spec forbids dropping unknown keys). */
  extensions: text("extensions", { mode: "json" }).$type<Record<string, JsonValue>>().notNull().default({}),
  characterBook: text("character_book", { mode: "json" }).$type<Record<string, JsonValue>>(),
  /** Lorebooks attached to the character (ids in the lorebooks table), in the order they were given. */
  lorebookIds: text("lorebook_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
});

export type CharacterRow = typeof characters.$inferSelect;
