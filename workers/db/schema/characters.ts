import { sqliteTable, text } from "drizzle-orm/sqlite-core";

export interface StoredConfiguration {
  temperature: number;
  max_tokens: number;
  system_prompt: string;
}

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
});

export type CharacterRow = typeof characters.$inferSelect;
