import type { HistoryQuery } from "../../../shared/schemas/chat";
import { randomId } from "../../../shared/crypto";
import type { PastMessage } from "../../chat/prompt";
import type { MessageMedia, NewMessage, StoredMessage, TurnStore } from "../../chat/turn";
import { mergeMessageMedia } from "../../media/message-media";

interface MessageRow extends Record<string, SqlStorageValue> {
  id: string;
  parent_id: string | null;
  role: string;
  content: string;
  character_id: string;
  created_at: string;
  metadata: string | null;
  media: string | null;
}

export interface HistoryPage {
  messages: StoredMessage[];
  total_count: number;
  has_more: boolean;
}

/** A cursor named a message that is not on the session's active branch. */
export class UnknownCursorError extends Error {}

const COLUMNS = "id, parent_id, role, content, character_id, created_at, metadata, media";

/**
 * The conversation in the Durable Object's SQLite. Every message keeps its parent link (so edits and
 * regenerations can branch later); the active branch is the messages with a `pos`, numbered 0..n-1
 * from the oldest, and indexed so that any page is a range scan of `limit` rows.
 */
export class HistoryStore implements TurnStore {
  /** SQLite rows read by this store's queries: lets tests prove a page costs O(limit). */
  rowsRead = 0;

  /** Whether the tables exist: created by the first write, so a session nobody wrote to stores nothing. */
  private created: boolean;

  constructor(private readonly sql: SqlStorage) {
    this.created = sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'`).toArray().length > 0;
  }

  private ensureTables(): void {
    if (this.created) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id TEXT PRIMARY KEY,
      parent_id TEXT,
      pos INTEGER,
      role TEXT NOT NULL,
      content TEXT NOT NULL,
      character_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      metadata TEXT,
      media TEXT,
      client_id TEXT
    )`);
    this.sql.exec(`CREATE UNIQUE INDEX IF NOT EXISTS messages_active_pos ON messages (pos) WHERE pos IS NOT NULL`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS messages_parent ON messages (parent_id)`);
    this.sql.exec(`CREATE UNIQUE INDEX IF NOT EXISTS messages_client_id ON messages (client_id) WHERE client_id IS NOT NULL`);
    this.created = true;
  }

  getMeta(key: string): string | null {
    const [row] = this.query<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key);
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.ensureTables();
    this.sql.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value);
  }

  /** Number of messages on the active branch: the highest position plus one, read from the index. */
  count(): number {
    const [row] = this.query<{ top: number | null }>(`SELECT MAX(pos) AS top FROM messages WHERE pos IS NOT NULL`);
    return row?.top == null ? 0 : row.top + 1;
  }

  append(message: NewMessage, at: string): StoredMessage {
    this.ensureTables();
    const pos = this.count();
    const parentId = pos === 0 ? null : (this.idAt(pos - 1) ?? null);
    const { client_id, ...fields } = message;
    const stored: StoredMessage = { ...fields, id: message.id ?? randomId("msg_"), parent_id: parentId, timestamp: at };
    this.sql.exec(
      `INSERT INTO messages (id, parent_id, pos, role, content, character_id, created_at, metadata, client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      stored.id,
      stored.parent_id,
      pos,
      stored.role,
      stored.content,
      stored.character_id,
      at,
      stored.metadata ? JSON.stringify(stored.metadata) : null,
      client_id ?? null,
    );
    return stored;
  }

  /** What a prompt needs of the newest messages: two columns, no JSON to parse. */
  recentTexts(limit: number): PastMessage[] {
    const total = this.count();
    if (total === 0) return [];
    return this.query<{ role: PastMessage["role"]; content: string }>(
      `SELECT role, content FROM messages WHERE pos BETWEEN ? AND ? ORDER BY pos ASC`,
      Math.max(0, total - limit),
      total - 1,
    );
  }

  page(query: HistoryQuery): HistoryPage {
    const total = this.count();
    // The cursors narrow the active branch to positions [low, high]; order and offset walk inside it.
    const low = query.after ? this.positionOf(query.after) + 1 : 0;
    const high = query.before ? this.positionOf(query.before) - 1 : total - 1;
    if (query.order === "asc") {
      const first = low + query.offset;
      const last = Math.min(high, first + query.limit - 1);
      return { messages: this.range(first, last, "asc"), total_count: total, has_more: last < high };
    }
    const first = high - query.offset;
    const last = Math.max(low, first - query.limit + 1);
    return { messages: this.range(last, first, "desc"), total_count: total, has_more: last > low };
  }

  /** Any message of the session, on the active branch or not. */
  get(id: string): StoredMessage | undefined {
    return this.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = ?`, id).map(toMessage)[0];
  }

  /** The user message a client sent with this client_message_id, if any. */
  byClientId(clientId: string): StoredMessage | undefined {
    return this.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE client_id = ?`, clientId).map(toMessage)[0];
  }

  /** The reply to a message: its child on the active branch. */
  replyTo(id: string): StoredMessage | undefined {
    return this.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE parent_id = ? AND pos IS NOT NULL AND role = 'assistant'`, id).map(toMessage)[0];
  }

  /** Merges media fields (e.g. audio_url once a job finishes) into a message; the result, or undefined if no such message. */
  setMedia(id: string, media: MessageMedia): MessageMedia | undefined {
    const existing = this.get(id);
    if (!existing) return undefined;
    const merged = mergeMessageMedia(existing.media, media);
    this.sql.exec(`UPDATE messages SET media = ? WHERE id = ?`, JSON.stringify(merged), id);
    return merged;
  }

  clear(): void {
    if (this.created) this.sql.exec(`DELETE FROM messages`);
  }

  private idAt(pos: number): string | undefined {
    return this.query<{ id: string }>(`SELECT id FROM messages WHERE pos = ?`, pos)[0]?.id;
  }

  private positionOf(id: string): number {
    const [row] = this.query<{ pos: number | null }>(`SELECT pos FROM messages WHERE id = ?`, id);
    if (row?.pos === undefined || row.pos === null) throw new UnknownCursorError(`No message ${id} in this session`);
    return row.pos;
  }

  private range(from: number, to: number, order: "asc" | "desc"): StoredMessage[] {
    if (to < from) return [];
    const direction = order === "asc" ? "ASC" : "DESC";
    return this.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE pos BETWEEN ? AND ? ORDER BY pos ${direction}`, from, to).map(toMessage);
  }

  private query<T extends Record<string, SqlStorageValue>>(statement: string, ...bindings: SqlStorageValue[]): T[] {
    if (!this.created) return [];
    const cursor = this.sql.exec<T>(statement, ...bindings);
    const rows = cursor.toArray();
    this.rowsRead += cursor.rowsRead;
    return rows;
  }
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    parent_id: row.parent_id,
    role: row.role as StoredMessage["role"],
    content: row.content,
    character_id: row.character_id,
    timestamp: row.created_at,
    ...(row.metadata ? { metadata: JSON.parse(row.metadata) } : {}),
    ...(row.media ? { media: JSON.parse(row.media) } : {}),
  };
}
