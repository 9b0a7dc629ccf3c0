/**
 * The memory object's queue of background work, in its SQLite so a restart loses nothing: reading an
 * exchange (embedding its messages, extracting facts), summarizing, and embedding what could not be
 * embedded before (the provider was down). An alarm runs the queue; a failed job is retried with backoff.
 */

export type MemoryJob =
  | {
      kind: "exchange";
      sessionId: string;
      characterName: string;
      user?: { id: string; text: string };
      reply: { id: string; text: string };
      /** false: the messages are stored already (the exchange came back to the branch); only extract. */
      embedMessages: boolean;
    }
  | { kind: "summary"; sessionId: string; previous?: string; messages: { name: string; text: string }[]; anchorId: string; sourceIds: string[] }
  | { kind: "embed" };

export interface QueuedJob {
  seq: number;
  job: MemoryJob;
  attempts: number;
}

export const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 2000;

export class MemoryJobs {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS jobs (
      seq INTEGER PRIMARY KEY,
      message_id TEXT,
      session_id TEXT,
      payload TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      run_at INTEGER NOT NULL)`);
  }

  add(job: MemoryJob, now: number): void {
    const messageId = job.kind === "exchange" ? job.reply.id : job.kind === "summary" ? job.anchorId : null;
    const sessionId = job.kind === "embed" ? null : job.sessionId;
    if (job.kind === "embed" && this.sql.exec(`SELECT 1 FROM jobs WHERE message_id IS NULL AND session_id IS NULL`).toArray().length > 0) return;
    this.sql.exec(`INSERT INTO jobs (message_id, session_id, payload, run_at) VALUES (?, ?, ?, ?)`, messageId, sessionId, JSON.stringify(job), now);
  }

  /** The next job that is due, oldest first. */
  next(now: number): QueuedJob | undefined {
    const [row] = this.sql
      .exec<{ seq: number; payload: string; attempts: number }>(`SELECT seq, payload, attempts FROM jobs WHERE run_at <= ? ORDER BY seq LIMIT 1`, now)
      .toArray();
    return row && { seq: row.seq, job: JSON.parse(row.payload) as MemoryJob, attempts: row.attempts };
  }

  /** Whether the job is still queued: a job whose message left the branch meanwhile was dropped. */
  has(seq: number): boolean {
    return this.sql.exec(`SELECT 1 FROM jobs WHERE seq = ?`, seq).toArray().length > 0;
  }

  done(seq: number): void {
    this.sql.exec(`DELETE FROM jobs WHERE seq = ?`, seq);
  }

  /** Backs a failed job off (2 s, 4 s, 8 s...); answers false when it has used its attempts (and is dropped). */
  retry(seq: number, attempts: number, now: number): boolean {
    if (attempts + 1 >= MAX_ATTEMPTS) {
      this.done(seq);
      return false;
    }
    this.sql.exec(`UPDATE jobs SET attempts = ?, run_at = ? WHERE seq = ?`, attempts + 1, now + RETRY_BASE_MS * 2 ** attempts, seq);
    return true;
  }

  /** When the queue next has work, if it has any. */
  nextRunAt(): number | undefined {
    const [row] = this.sql.exec<{ at: number | null }>(`SELECT MIN(run_at) AS at FROM jobs`).toArray();
    return row?.at ?? undefined;
  }

  /** Drops the jobs of messages that left the branch, and of a cleared session. */
  dropMessages(messageIds: string[]): void {
    if (messageIds.length > 0) this.sql.exec(`DELETE FROM jobs WHERE message_id IN (SELECT value FROM json_each(?))`, JSON.stringify(messageIds));
  }

  dropSession(sessionId: string): void {
    this.sql.exec(`DELETE FROM jobs WHERE session_id = ?`, sessionId);
  }

  pending(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs`).toArray()[0]?.n ?? 0;
  }
}
