import type { AudioChunkFrame, ServerFrame } from "../../../shared/schemas/realtime";

type Emit = (frame: ServerFrame) => void;

// Replies whose frames are kept: a reconnecting client catches up on these; older ones are dropped.
const KEEP_REPLIES = 8;
const AUDIO_ENDED = new Set(["ready", "completed", "failed", "canceled"]);

interface Listener {
  emit: Emit;
  ended: Promise<void>;
  end: () => void;
}

/**
 * The `audio_chunk` frames of the session's replies, sent in seq order: a chunk voiced before an
 * earlier one waits for it. Kept in the object's SQLite, since the object may be evicted between two
 * chunks while only hibernated sockets hold it. A reply whose voice was stopped sends nothing more.
 * Besides the sockets, a reply's frames go to its listener (the SSE stream that asked for it) until
 * its whole audio has ended.
 */
export class VoiceFrames {
  private ready = false;
  private readonly listeners = new Map<string, Listener>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly broadcast: Emit,
  ) {}

  /** A reply will be voiced; `listener` hears its frames and its `media` until the whole audio has ended. */
  open(messageId: string, listener?: Emit): void {
    this.create();
    this.sql.exec(`INSERT OR IGNORE INTO voice_replies (message_id, stopped) VALUES (?, 0)`, messageId);
    this.sql.exec(`DELETE FROM voice_chunks WHERE message_id IN (SELECT message_id FROM voice_replies ORDER BY rowid DESC LIMIT -1 OFFSET ?)`, KEEP_REPLIES);
    this.sql.exec(`DELETE FROM voice_replies WHERE rowid IN (SELECT rowid FROM voice_replies ORDER BY rowid DESC LIMIT -1 OFFSET ?)`, KEEP_REPLIES);
    if (!listener) return;
    let end = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.listeners.set(messageId, { emit: listener, ended, end });
  }

  /** Resolves when the reply's listener is let go (its whole audio ended, its voice stopped), or after `maxMs`. */
  async ended(messageId: string, maxMs: number): Promise<void> {
    const listener = this.listeners.get(messageId);
    if (!listener) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([listener.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))]);
    clearTimeout(timer);
    this.end(messageId);
  }

  /** A chunk's speech ended: kept, then sent with every later chunk already waiting. Answers false for a reply it does not know. */
  add(frame: AudioChunkFrame): boolean {
    this.create();
    const [reply] = this.sql.exec<{ stopped: number }>(`SELECT stopped FROM voice_replies WHERE message_id = ?`, frame.message_id).toArray();
    if (!reply) return false;
    if (reply.stopped) return true;
    this.sql.exec(`INSERT OR IGNORE INTO voice_chunks (message_id, seq, frame, sent) VALUES (?, ?, ?, 0)`, frame.message_id, frame.seq, JSON.stringify(frame));
    for (;;) {
      const [next] = this.sql
        .exec<{ seq: number; frame: string }>(
          `SELECT seq, frame FROM voice_chunks WHERE message_id = ?1 AND sent = 0
             AND seq = (SELECT count(*) FROM voice_chunks WHERE message_id = ?1 AND sent = 1)`,
          frame.message_id,
        )
        .toArray();
      if (!next) return true;
      this.sql.exec(`UPDATE voice_chunks SET sent = 1 WHERE message_id = ? AND seq = ?`, frame.message_id, next.seq);
      this.send(frame.message_id, JSON.parse(next.frame) as AudioChunkFrame);
    }
  }

  /** The reply's media moved on: its listener hears it, and is let go once the whole audio has ended. */
  media(messageId: string, frame: ServerFrame & { type: "media" }): void {
    const listener = this.listeners.get(messageId);
    if (!listener) return;
    listener.emit(frame);
    if (AUDIO_ENDED.has(String(frame.media.audio_status))) this.end(messageId);
  }

  /** No more frames for this reply (a `cancel`, a new turn, or nothing to voice). */
  stop(messageId: string): void {
    if (this.ready) this.sql.exec(`UPDATE voice_replies SET stopped = 1 WHERE message_id = ?`, messageId);
    this.end(messageId);
  }

  /** The frames a reply has sent so far, in order: for a client that reconnects. */
  sent(messageId: string): AudioChunkFrame[] {
    if (!this.exists()) return [];
    return this.sql
      .exec<{ frame: string }>(`SELECT frame FROM voice_chunks WHERE message_id = ? AND sent = 1 ORDER BY seq`, messageId)
      .toArray()
      .map((row) => JSON.parse(row.frame) as AudioChunkFrame);
  }

  /** The history was cleared. */
  clear(): void {
    if (this.exists()) this.sql.exec(`DELETE FROM voice_chunks; DELETE FROM voice_replies;`);
    for (const messageId of [...this.listeners.keys()]) this.end(messageId);
  }

  private send(messageId: string, frame: AudioChunkFrame): void {
    this.broadcast(frame);
    this.listeners.get(messageId)?.emit(frame);
  }

  private end(messageId: string): void {
    const listener = this.listeners.get(messageId);
    this.listeners.delete(messageId);
    listener?.end();
  }

  // Created by the first voiced reply: a session without voice stores nothing.
  private create(): void {
    if (this.ready) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS voice_replies (message_id TEXT PRIMARY KEY, stopped INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS voice_chunks (
      message_id TEXT NOT NULL, seq INTEGER NOT NULL, frame TEXT NOT NULL, sent INTEGER NOT NULL, PRIMARY KEY (message_id, seq))`);
    this.ready = true;
  }

  private exists(): boolean {
    if (!this.ready) this.ready = this.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'voice_replies'`).toArray().length > 0;
    return this.ready;
  }
}
