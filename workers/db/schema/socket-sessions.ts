import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Sessions where a key has authenticated a WebSocket: revoking the key closes the sockets there. */
export const socketSessions = sqliteTable(
  "socket_sessions",
  {
    keyId: text("key_id").notNull(),
    sessionId: text("session_id").notNull(),
    lastAuthAt: text("last_auth_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.sessionId] })],
);
