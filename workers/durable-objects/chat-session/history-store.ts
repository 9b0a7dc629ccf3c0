import type { HistoryQuery } from "../../../shared/schemas/chat";
import { randomId } from "../../../shared/crypto";
import type { PastMessage } from "../../chat/prompt";
import type { MessageMedia, NewMessage, PlacedMessage, StoredMessage } from "../../chat/turn";
import { mergeMessageMedia } from "../../media/message-media";
import type { LoreTimelineRecord } from "../../lore/activation-types";

// Timed world-info effects older than this many messages are forgotten (sticky and cooldown windows are a few messages).
const LORE_WINDOW = 200;

export interface MessageRow extends Record<string, SqlStorageValue> {
  id: string;
  parent_id: string | null;
  pos: number | null;
  role: string;
  content: string;
  character_id: string;
  created_at: string;
  metadata: string | null;
  media: string | null;
  selected_child: string | null;
}

export interface HistoryPage {
  messages: PlacedMessage[];
  total_count: number;
  has_more: boolean;
}

/** A cursor named a message that is not on the session's active branch. */
export class UnknownCursorError extends Error {}

const COLUMNS = "id, parent_id, pos, role, content, character_id, created_at, metadata, media, selected_child";
// A message's place among its siblings: creation order is rowid order (SQLite never reuses a rowid
// below the largest), counted through the parent index, so a page costs O(limit x siblings).
const WITH_SIBLINGS = `${COLUMNS},
  (SELECT COUNT(*) FROM messages s WHERE s.parent_id IS m.parent_id AND s.rowid < m.rowid) AS sibling_index,
  (SELECT COUNT(*) FROM messages s WHERE s.parent_id IS m.parent_id) AS sibling_count`;

/**
 * The conversation in the Durable Object's SQLite: a tree of messages (each keeps its parent link;
 * messages with one parent are siblings, "swipes"). The active branch, root to leaf, is the messages
 * with a `pos`, numbered 0..n-1 from the oldest and indexed, so any page is a range scan of `limit` rows.
 * Each message remembers its last selected child (`selected_child`; the root's is in meta), which is
 * how a branch comes back as it was last seen. Branch operations live in `message-tree.ts`.
 */
export class HistoryStore {
  /** SQLite rows read and written by this store's statements: lets tests and benchmarks prove costs. */
  rowsRead = 0;
  rowsWritten = 0;

  /** Whether the tables exist: created by the first write, so a session nobody wrote to stores nothing. */
  private created: boolean;

  constructor(private readonly sql: SqlStorage) {
    const [table] = sql.exec<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'messages'`).toArray();
    this.created = table !== undefined;
    // Sessions stored before branches (and world info) existed: their history is one line, so no
    // pointer needs filling, and their replies left no world-info state.
    if (table && !table.sql.includes("selected_child")) sql.exec(`ALTER TABLE messages ADD COLUMN selected_child TEXT`);
    if (table && !table.sql.includes("lore_state")) sql.exec(`ALTER TABLE messages ADD COLUMN lore_state TEXT`);
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
      client_id TEXT,
      selected_child TEXT,
      lore_state TEXT
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
    this.write(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value);
  }

  /** Number of messages on the active branch: the highest position plus one, read from the index. */
  count(): number {
    const [row] = this.query<{ top: number | null }>(`SELECT MAX(pos) AS top FROM messages WHERE pos IS NOT NULL`);
    return row?.top == null ? 0 : row.top + 1;
  }

  /** The active branch's last message. */
  leafId(): string | null {
    const total = this.count();
    return total === 0 ? null : (this.idAt(total - 1) ?? null);
  }

  /** Appends to the active branch, under its leaf. */
  append(message: NewMessage, at: string): PlacedMessage {
    const pos = this.count();
    // Under the leaf, which has no children: the new message is an only child (or the only root).
    return { ...this.insert(message, pos === 0 ? null : (this.idAt(pos - 1) ?? null), pos, at), sibling_index: 0, sibling_count: 1 };
  }

  /** Stores a message under `parentId` at position `pos` of the active branch (null: off the branch). */
  insert(message: NewMessage, parentId: string | null, pos: number | null, at: string): StoredMessage {
    this.ensureTables();
    const { client_id, lore_state, ...fields } = message;
    const stored: StoredMessage = { ...fields, id: message.id ?? randomId("msg_"), parent_id: parentId, timestamp: at };
    this.write(
      `INSERT INTO messages (id, parent_id, pos, role, content, character_id, created_at, metadata, media, client_id, lore_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      stored.id,
      stored.parent_id,
      pos,
      stored.role,
      stored.content,
      stored.character_id,
      at,
      stored.metadata ? JSON.stringify(stored.metadata) : null,
      stored.media ? JSON.stringify(stored.media) : null,
      client_id ?? null,
      lore_state ? JSON.stringify(lore_state) : null,
    );
    return stored;
  }

  /**
   * The world-info state the latest reply before position `index` left, among the last LORE_WINDOW
   * messages: bounded, so a long history with no world info is not walked to its start.
   */
  loreTimeline(index: number): LoreTimelineRecord[] {
    return this.query<{ lore_state: string }>(
      `SELECT lore_state FROM messages WHERE pos BETWEEN ? AND ? AND lore_state IS NOT NULL ORDER BY pos DESC LIMIT 1`,
      Math.max(0, index - LORE_WINDOW),
      index - 1,
    ).map((row) => JSON.parse(row.lore_state) as LoreTimelineRecord);
  }

  /** Role and text of the active branch's messages before position `end` (default: all), the newest `limit`. */
  recentTexts(limit: number, end = this.count()): PastMessage[] {
    if (end <= 0) return [];
    return this.query<{ id: string; role: PastMessage["role"]; content: string; character_id: string }>(
      `SELECT id, role, content, character_id FROM messages WHERE pos BETWEEN ? AND ? ORDER BY pos ASC`,
      Math.max(0, end - limit),
      end - 1,
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

  /** Any message of the session, on the active branch or not, with its place among its siblings. */
  get(id: string): PlacedMessage | undefined {
    return this.query<MessageRow>(`SELECT ${WITH_SIBLINGS} FROM messages m WHERE id = ?`, id).map(toMessage)[0];
  }

  /** A message's row as stored: its position (null off the active branch) and parent. */
  row(id: string): MessageRow | undefined {
    return this.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = ?`, id)[0];
  }

  /** The message a client sent with this client_message_id (or the message its frame made), if any. */
  byClientId(clientId: string): PlacedMessage | undefined {
    return this.query<MessageRow>(`SELECT ${WITH_SIBLINGS} FROM messages m WHERE client_id = ?`, clientId).map(toMessage)[0];
  }

  /** The reply to a message: its child on the active branch. */
  replyTo(id: string): PlacedMessage | undefined {
    return this.query<MessageRow>(`SELECT ${WITH_SIBLINGS} FROM messages m WHERE parent_id = ? AND pos IS NOT NULL AND role = 'assistant'`, id).map(
      toMessage,
    )[0];
  }

  /** The messages sharing `parentId` (null: the roots), in creation order. */
  children(parentId: string | null): PlacedMessage[] {
    return this.query<MessageRow>(`SELECT ${WITH_SIBLINGS} FROM messages m WHERE parent_id IS ? ORDER BY rowid`, parentId).map(toMessage);
  }

  /** Merges media fields (e.g. audio_url once a job finishes) into a message; the result, or undefined if no such message. */
  setMedia(id: string, media: MessageMedia): MessageMedia | undefined {
    const existing = this.row(id);
    if (!existing) return undefined;
    const merged = mergeMessageMedia(existing.media ? JSON.parse(existing.media) : undefined, media);
    this.write(`UPDATE messages SET media = ? WHERE id = ?`, JSON.stringify(merged), id);
    return merged;
  }

  clear(): void {
    if (this.created) this.write(`DELETE FROM messages`);
    if (this.created) this.write(`DELETE FROM meta WHERE key = 'selected_root'`);
  }

  idAt(pos: number): string | undefined {
    return this.query<{ id: string }>(`SELECT id FROM messages WHERE pos = ?`, pos)[0]?.id;
  }

  /** Runs a statement that reads rows, counting them. */
  query<T extends Record<string, SqlStorageValue>>(statement: string, ...bindings: SqlStorageValue[]): T[] {
    if (!this.created) return [];
    const cursor = this.sql.exec<T>(statement, ...bindings);
    const rows = cursor.toArray();
    this.rowsRead += cursor.rowsRead;
    return rows;
  }

  /** Runs a statement that changes rows, counting them; answers what it returns (e.g. RETURNING). */
  write<T extends Record<string, SqlStorageValue>>(statement: string, ...bindings: SqlStorageValue[]): T[] {
    this.ensureTables();
    const cursor = this.sql.exec<T>(statement, ...bindings);
    const rows = cursor.toArray();
    this.rowsRead += cursor.rowsRead;
    this.rowsWritten += cursor.rowsWritten;
    return rows;
  }

  private positionOf(id: string): number {
    const [row] = this.query<{ pos: number | null }>(`SELECT pos FROM messages WHERE id = ?`, id);
    if (row?.pos === undefined || row.pos === null) throw new UnknownCursorError(`No message ${id} in this session`);
    return row.pos;
  }

  private range(from: number, to: number, order: "asc" | "desc"): PlacedMessage[] {
    if (to < from) return [];
    const direction = order === "asc" ? "ASC" : "DESC";
    return this.query<MessageRow>(`SELECT ${WITH_SIBLINGS} FROM messages m WHERE pos BETWEEN ? AND ? ORDER BY pos ${direction}`, from, to).map(toMessage);
  }
}

function toMessage(row: MessageRow): PlacedMessage {
  return {
    id: row.id,
    parent_id: row.parent_id,
    role: row.role as StoredMessage["role"],
    content: row.content,
    character_id: row.character_id,
    timestamp: row.created_at,
    ...(row.metadata ? { metadata: JSON.parse(row.metadata) } : {}),
    ...(row.media ? { media: JSON.parse(row.media) } : {}),
    // Rows read with their siblings counted; a bare row is an only child.
    sibling_index: typeof row.sibling_index === "number" ? row.sibling_index : 0,
    sibling_count: typeof row.sibling_count === "number" ? row.sibling_count : 1,
  };
}
