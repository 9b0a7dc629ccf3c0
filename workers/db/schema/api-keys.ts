import { sqliteTable, text } from "drizzle-orm/sqlite-core";

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  // SHA-256 of the key, hex: keys are 256-bit random, so a fast hash cannot be brute-forced.
  keyHash: text("key_hash").notNull().unique(),
  prefix: text("prefix").notNull(),
  scopes: text("scopes", { mode: "json" }).$type<("chat" | "admin")[]>().notNull(),
  createdAt: text("created_at").notNull(),
  lastUsedAt: text("last_used_at"),
  revokedAt: text("revoked_at"),
});

export type ApiKeyRow = typeof apiKeys.$inferSelect;
