/**
 * Seeds long histories straight into the sessions' Durable Object SQLite files while the stack is
 * stopped: 100,000 turns through the API would take the better part of an hour. The rows have the shape
 * HistoryStore writes (contiguous positions, parent links, the session's character on every message), so
 * the runtime reads them like any others, and a regenerated seeded reply keeps the session's character.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** The Durable Object SQLite file that holds a session (its `meta` names it); opened read-only to look. */
export function sessionFile(persistDir: string, sessionId: string): string {
  const dir = join(persistDir, "v3", "do", "chatacter-ChatSession");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")) {
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    try {
      const meta = db.prepare("SELECT value FROM meta WHERE key = 'session_id'").get() as { value: string } | undefined;
      if (meta?.value === sessionId) return join(dir, file);
    } finally {
      db.close();
    }
  }
  throw new Error(`no Durable Object file holds session ${sessionId}`);
}

export function seedHistory(persistDir: string, sessionId: string, totalMessages: number): void {
  const db = new DatabaseSync(sessionFile(persistDir, sessionId));
  try {
    const { top, head, character } = db
      .prepare("SELECT pos AS top, id AS head, character_id AS character FROM messages WHERE pos = (SELECT MAX(pos) FROM messages)")
      .get() as { top: number; head: string; character: string };
    const insert = db.prepare("INSERT INTO messages (id, parent_id, pos, role, content, character_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    db.exec("BEGIN");
    let parent = head;
    const at = new Date().toISOString();
    for (let pos = top + 1; pos < totalMessages; pos++) {
      const id = `msg_seed${pos}`;
      const role = pos % 2 === 0 ? "user" : "assistant";
      insert.run(id, parent, pos, role, `${role} message number ${pos} of a long conversation, seeded for the benchmark.`, character, at);
      parent = id;
    }
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}
