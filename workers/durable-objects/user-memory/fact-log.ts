import type { FactOperation, KnownFact } from "../../memory/extraction";
import type { MemoryStore, MemoryRow } from "./memory-store";

/**
 * Extracted facts, with a log of what each exchange changed, so that a reply leaving the active branch
 * takes its changes back: its ADDs are deleted, its UPDATEs restored, its DELETEs undone. A change later
 * exchanges built on is kept (a fact another reply confirmed or edited since stays as it is now).
 */
export class FactLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly store: MemoryStore,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS fact_changes (
      seq INTEGER PRIMARY KEY,
      message_id TEXT NOT NULL,
      memory_id TEXT NOT NULL,
      op TEXT NOT NULL,
      content TEXT,
      previous TEXT)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS fact_changes_message ON fact_changes (message_id)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS fact_changes_memory ON fact_changes (memory_id)`);
    // Exchanges already read: extraction runs once per reply, however often its job is retried.
    sql.exec(`CREATE TABLE IF NOT EXISTS extracted (message_id TEXT PRIMARY KEY, session_id TEXT)`);
  }

  count(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM memories WHERE kind IN ('pinned', 'fact') AND active = 1`).toArray()[0]?.n ?? 0;
  }

  known(): KnownFact[] {
    return this.sql
      .exec<{ id: string; content: string; kind: string }>(
        `SELECT id, content, kind FROM memories WHERE kind IN ('pinned', 'fact') AND active = 1 ORDER BY rowid`,
      )
      .toArray()
      .map((row) => ({ id: row.id, content: row.content, pinned: row.kind === "pinned" }));
  }

  wasExtracted(messageId: string): boolean {
    return this.sql.exec(`SELECT 1 FROM extracted WHERE message_id = ?`, messageId).toArray().length > 0;
  }

  /** Applies an exchange's planned changes; answers the rows added or changed (to embed) and removed. */
  apply(
    exchange: { messageId: string; sessionId: string; sourceIds: string[] },
    operations: FactOperation[],
    at: string,
  ): { written: MemoryRow[]; hidden: MemoryRow[] } {
    const written: MemoryRow[] = [];
    const hidden: MemoryRow[] = [];
    this.sql.exec(`INSERT OR IGNORE INTO extracted (message_id, session_id) VALUES (?, ?)`, exchange.messageId, exchange.sessionId);
    for (const operation of operations) {
      if (operation.op === "ADD") {
        const row = this.store.insert({ kind: "fact", content: operation.content, sessionId: exchange.sessionId, sourceIds: exchange.sourceIds }, at);
        this.log(exchange.messageId, row.id, "ADD", operation.content, null);
        written.push(row);
      } else if (operation.op === "UPDATE") {
        const before = this.store.get(operation.id);
        const row = before && this.store.update(operation.id, { content: operation.content }, at);
        if (!before || !row) continue;
        this.log(exchange.messageId, row.id, "UPDATE", operation.content, before.content);
        written.push(row);
      } else {
        // Hidden, not deleted: the reply may leave the branch and take the delete back.
        const [row] = this.sql.exec<MemoryRow>(`UPDATE memories SET active = 0 WHERE id = ? AND active = 1 RETURNING rowid, kind`, operation.id).toArray();
        if (!row) continue;
        this.log(exchange.messageId, operation.id, "DELETE", null, null);
        hidden.push(row);
      }
    }
    return { written, hidden };
  }

  /**
   * Takes back what these replies changed, newest first, and forgets that they were read (if they come
   * back to the branch, they are read again). Answers the rows deleted, changed (to re-embed) and shown again.
   */
  withdraw(messageIds: string[], at: string): { removed: MemoryRow[]; written: MemoryRow[]; shown: MemoryRow[] } {
    const ids = JSON.stringify(messageIds);
    const changes = this.sql
      .exec<{ seq: number; memory_id: string; op: string; content: string | null; previous: string | null }>(
        `SELECT seq, memory_id, op, content, previous FROM fact_changes WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY seq DESC`,
        ids,
      )
      .toArray();
    const removed: MemoryRow[] = [];
    const written: MemoryRow[] = [];
    const shown: MemoryRow[] = [];
    for (const change of changes) {
      const later = this.sql
        .exec(
          `SELECT 1 FROM fact_changes WHERE memory_id = ? AND seq > ? AND message_id NOT IN (SELECT value FROM json_each(?)) LIMIT 1`,
          change.memory_id,
          change.seq,
          ids,
        )
        .toArray().length;
      if (later) continue;
      const row = this.store.get(change.memory_id);
      if (!row) continue;
      if (change.op === "ADD") {
        const gone = this.store.remove(change.memory_id);
        if (gone) removed.push(gone);
      } else if (change.op === "UPDATE" && change.previous !== null && row.content === change.content) {
        const restored = this.store.update(change.memory_id, { content: change.previous }, at);
        if (restored) written.push(restored);
      } else if (change.op === "DELETE" && row.active === 0) {
        this.sql.exec(`UPDATE memories SET active = 1 WHERE id = ?`, change.memory_id);
        shown.push({ ...row, active: 1 });
      }
    }
    this.sql.exec(`DELETE FROM fact_changes WHERE message_id IN (SELECT value FROM json_each(?))`, ids);
    this.sql.exec(`DELETE FROM extracted WHERE message_id IN (SELECT value FROM json_each(?))`, ids);
    return { removed, written, shown };
  }

  /** A session's history was cleared: what its exchanges changed is taken back, as if they all left the branch. */
  forgetSession(sessionId: string, at: string): ReturnType<FactLog["withdraw"]> {
    const read = this.sql.exec<{ message_id: string }>(`SELECT message_id FROM extracted WHERE session_id = ?`, sessionId).toArray();
    return this.withdraw(
      read.map((row) => row.message_id),
      at,
    );
  }

  /** A fact removed through the API: its history goes with it. */
  forgetMemory(memoryId: string): void {
    this.sql.exec(`DELETE FROM fact_changes WHERE memory_id = ?`, memoryId);
  }

  private log(messageId: string, memoryId: string, op: string, content: string | null, previous: string | null): void {
    this.sql.exec(`INSERT INTO fact_changes (message_id, memory_id, op, content, previous) VALUES (?, ?, ?, ?, ?)`, messageId, memoryId, op, content, previous);
  }
}
