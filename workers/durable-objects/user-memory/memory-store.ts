import type { Memory, MemoryKind } from "../../../shared/schemas/memories";
import { randomId } from "../../../shared/crypto";
import { quantize, type IndexedVector } from "./vector-index";
import { toBlob } from "../../memory/search/vectors";

/**
 * A memory object's rows in its SQLite: memories with the 8-bit copy of their embedding (for the
 * in-memory scan), the exact Float32 embeddings in a table of their own (read only to re-score a few
 * candidates, so the memories' pages stay small for the scan's load and the text search's join), an
 * FTS5 table over their text (rowid for rowid), and meta (whose memory this is). Message memories and summaries are switched off, not deleted, while the messages
 * they come from are off the active branch.
 */

export interface MemoryRow extends Record<string, SqlStorageValue> {
  rowid: number;
  id: string;
  kind: MemoryKind;
  content: string;
  session_id: string | null;
  source_ids: string;
  anchor_id: string | null;
  role: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

const COLUMNS = "rowid, id, kind, content, session_id, source_ids, anchor_id, role, active, created_at, updated_at";
const KIND_CODES: Record<MemoryKind, number> = { pinned: 1, fact: 2, summary: 3, message: 4 };
const ACTIVE = 8;
/** Full-text matches ranked per candidate wanted, before kind and active are checked. */
const TEXT_HEADROOM = 3;

/** The index tag of a row: its kind, and whether it is active (0 is an empty slot). */
export const tagOf = (kind: MemoryKind, active: boolean) => KIND_CODES[kind] + (active ? ACTIVE : 0);
/** A filter over tags: active rows of these kinds. */
export const acceptKinds = (kinds: MemoryKind[]) => {
  const wanted = new Set(kinds.map((kind) => tagOf(kind, true)));
  return (tag: number) => wanted.has(tag);
};

export interface NewMemory {
  kind: MemoryKind;
  content: string;
  sessionId?: string | null;
  sourceIds?: string[];
  anchorId?: string | null;
  role?: "user" | "assistant" | null;
}

export class MemoryStore {
  constructor(
    private readonly sql: SqlStorage,
    /** The object's id (hex): every memory id starts with it, so a route finds the object from the id alone. */
    private readonly objectHex: string,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS memories (
      rowid INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      content TEXT NOT NULL,
      session_id TEXT,
      source_ids TEXT NOT NULL DEFAULT '[]',
      anchor_id TEXT,
      role TEXT,
      active INTEGER NOT NULL DEFAULT 1,
      qvec BLOB,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS memories_kind ON memories (kind, active)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS memories_anchor ON memories (anchor_id) WHERE anchor_id IS NOT NULL`);
    sql.exec(`CREATE INDEX IF NOT EXISTS memories_session ON memories (session_id) WHERE session_id IS NOT NULL`);
    sql.exec(`CREATE INDEX IF NOT EXISTS memories_unembedded ON memories (rowid) WHERE qvec IS NULL`);
    sql.exec(`CREATE TABLE IF NOT EXISTS memory_embeddings (rowid INTEGER PRIMARY KEY, embedding BLOB NOT NULL)`);
    sql.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS memory_text USING fts5(content, tokenize = 'unicode61 remove_diacritics 2')`);
  }

  getMeta(key: string): string | null {
    return this.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key).toArray()[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value);
  }

  insert(memory: NewMemory, at: string): MemoryRow {
    const id = `mem_${this.objectHex}${randomId("", 12)}`;
    const [row] = this.sql
      .exec<MemoryRow>(
        `INSERT INTO memories (id, kind, content, session_id, source_ids, anchor_id, role, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        id,
        memory.kind,
        memory.content,
        memory.sessionId ?? null,
        JSON.stringify(memory.sourceIds ?? []),
        memory.anchorId ?? null,
        memory.role ?? null,
        at,
        at,
      )
      .toArray();
    this.sql.exec(`INSERT INTO memory_text (rowid, content) VALUES (?, ?)`, row!.rowid, memory.content);
    return row!;
  }

  get(id: string): MemoryRow | undefined {
    return this.sql.exec<MemoryRow>(`SELECT ${COLUMNS} FROM memories WHERE id = ?`, id).toArray()[0];
  }

  byRowids(rowids: number[]): MemoryRow[] {
    if (rowids.length === 0) return [];
    return this.sql.exec<MemoryRow>(`SELECT ${COLUMNS} FROM memories WHERE rowid IN (SELECT value FROM json_each(?))`, JSON.stringify(rowids)).toArray();
  }

  /** Changes a row's text (its embedding is dropped: the caller embeds the new text) or kind. */
  update(id: string, change: { content?: string; kind?: MemoryKind }, at: string): MemoryRow | undefined {
    const row = this.get(id);
    if (!row) return undefined;
    const content = change.content ?? row.content;
    const [updated] = this.sql
      .exec<MemoryRow>(
        `UPDATE memories SET content = ?, kind = ?, updated_at = ?, qvec = CASE WHEN ? THEN NULL ELSE qvec END
         WHERE id = ? RETURNING ${COLUMNS}`,
        content,
        change.kind ?? row.kind,
        at,
        content !== row.content ? 1 : 0,
        id,
      )
      .toArray();
    if (content !== row.content) {
      this.sql.exec(`UPDATE memory_text SET content = ? WHERE rowid = ?`, content, row.rowid);
      this.sql.exec(`DELETE FROM memory_embeddings WHERE rowid = ?`, row.rowid);
    }
    return updated;
  }

  remove(id: string): MemoryRow | undefined {
    const [row] = this.sql.exec<MemoryRow>(`DELETE FROM memories WHERE id = ? RETURNING ${COLUMNS}`, id).toArray();
    if (row) {
      this.sql.exec(`DELETE FROM memory_text WHERE rowid = ?`, row.rowid);
      this.sql.exec(`DELETE FROM memory_embeddings WHERE rowid = ?`, row.rowid);
    }
    return row;
  }

  setEmbedding(rowid: number, embedding: Float32Array): Uint8Array {
    const packed = quantize(embedding);
    this.sql.exec(`UPDATE memories SET qvec = ? WHERE rowid = ?`, packed, rowid);
    this.sql.exec(`INSERT OR REPLACE INTO memory_embeddings (rowid, embedding) VALUES (?, ?)`, rowid, toBlob(embedding));
    return packed;
  }

  /** The exact vectors of some rows, for re-scoring the scan's candidates. */
  embeddings(rowids: number[]): Map<number, ArrayBuffer> {
    const rows = this.sql
      .exec<{ rowid: number; embedding: ArrayBuffer }>(
        `SELECT rowid, embedding FROM memory_embeddings WHERE rowid IN (SELECT value FROM json_each(?))`,
        JSON.stringify(rowids),
      )
      .toArray();
    return new Map(rows.map((row) => [row.rowid, row.embedding]));
  }

  /** Every embedded row's 8-bit vector, to fill the in-memory index. */
  *indexedVectors(): Generator<IndexedVector> {
    for (const row of this.sql.exec<{ rowid: number; kind: MemoryKind; active: number; qvec: ArrayBuffer }>(
      `SELECT rowid, kind, active, qvec FROM memories WHERE qvec IS NOT NULL`,
    )) {
      yield { rowid: row.rowid, tag: tagOf(row.kind, row.active === 1), packed: new Uint8Array(row.qvec) };
    }
  }

  unembedded(limit: number): MemoryRow[] {
    return this.sql.exec<MemoryRow>(`SELECT ${COLUMNS} FROM memories WHERE qvec IS NULL ORDER BY rowid LIMIT ?`, limit).toArray();
  }

  /** Active rows of these kinds, newest first. */
  list(kinds: MemoryKind[], limit: number, offset: number): { rows: MemoryRow[]; total: number } {
    const kindList = JSON.stringify(kinds);
    const where = `active = 1 AND kind IN (SELECT value FROM json_each(?))`;
    const rows = this.sql
      .exec<MemoryRow>(`SELECT ${COLUMNS} FROM memories WHERE ${where} ORDER BY rowid DESC LIMIT ? OFFSET ?`, kindList, limit, offset)
      .toArray();
    const [count] = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM memories WHERE ${where}`, kindList).toArray();
    return { rows, total: count?.n ?? 0 };
  }

  /**
   * BM25 over the text of active rows of these kinds: higher is better. FTS5 ranks first and only its
   * best few are joined to their rows (a join per match costs a page read per match), so rows of other
   * kinds or switched off can crowd a few out of a list that is only candidates anyway.
   */
  textSearch(match: string, kinds: MemoryKind[], limit: number): { rowid: number; score: number }[] {
    return this.sql
      .exec<{ rowid: number; score: number }>(
        `SELECT ranked.rowid AS rowid, ranked.score AS score
         FROM (SELECT rowid, -bm25(memory_text) AS score FROM memory_text WHERE memory_text MATCH ? ORDER BY bm25(memory_text) LIMIT ?) ranked
         JOIN memories m ON m.rowid = ranked.rowid
         WHERE m.active = 1 AND m.kind IN (SELECT value FROM json_each(?))
         ORDER BY ranked.score DESC LIMIT ?`,
        match,
        limit * TEXT_HEADROOM,
        JSON.stringify(kinds),
        limit,
      )
      .toArray();
  }

  /** How many rows have a vector (to size the in-memory index once). */
  vectorCount(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM memories WHERE qvec IS NOT NULL`).toArray()[0]?.n ?? 0;
  }

  /** The newest active summary of a session. */
  summaryOf(sessionId: string): MemoryRow | undefined {
    return this.sql
      .exec<MemoryRow>(`SELECT ${COLUMNS} FROM memories WHERE kind = 'summary' AND active = 1 AND session_id = ? ORDER BY rowid DESC LIMIT 1`, sessionId)
      .toArray()[0];
  }

  /** Switches message memories and summaries anchored to these messages on or off; answers the rows changed. */
  setActiveByAnchor(messageIds: string[], active: boolean): { rowid: number; kind: MemoryKind }[] {
    if (messageIds.length === 0) return [];
    return this.sql
      .exec<{ rowid: number; kind: MemoryKind }>(
        `UPDATE memories SET active = ? WHERE kind IN ('message', 'summary') AND active = ? AND anchor_id IN (SELECT value FROM json_each(?))
         RETURNING rowid, kind`,
        active ? 1 : 0,
        active ? 0 : 1,
        JSON.stringify(messageIds),
      )
      .toArray();
  }

  /** Deletes what a session produced (its messages, summaries, and facts drawn from it); answers their rowids. */
  removeSession(sessionId: string): number[] {
    const rows = this.sql.exec<{ rowid: number }>(`DELETE FROM memories WHERE session_id = ? AND kind != 'pinned' RETURNING rowid`, sessionId).toArray();
    const rowids = JSON.stringify(rows.map((r) => r.rowid));
    this.sql.exec(`DELETE FROM memory_text WHERE rowid IN (SELECT value FROM json_each(?))`, rowids);
    this.sql.exec(`DELETE FROM memory_embeddings WHERE rowid IN (SELECT value FROM json_each(?))`, rowids);
    return rows.map((r) => r.rowid);
  }

  /** Whether a message's memory exists (a retried exchange job stores it once). */
  hasMessage(messageId: string): boolean {
    return this.sql.exec(`SELECT 1 FROM memories WHERE anchor_id = ? AND kind = 'message'`, messageId).toArray().length > 0;
  }

  /** Whether the object holds anything (an empty object was never written, or was emptied). */
  isEmpty(): boolean {
    return this.sql.exec(`SELECT 1 FROM memories LIMIT 1`).toArray().length === 0;
  }
}

export function toMemory(row: MemoryRow, scope: { characterId: string; userId: string | null }): Memory {
  return {
    id: row.id,
    character_id: scope.characterId,
    user_id: scope.userId,
    session_id: row.session_id,
    kind: row.kind,
    content: row.content,
    pinned: row.kind === "pinned",
    source_message_ids: JSON.parse(row.source_ids) as string[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
