import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";

/** One finished request, as the request log middleware saw it. */
export interface RequestSample {
  /** Epoch ms when the response was ready. */
  at: number;
  status: number;
  durationMs: number;
}

export interface RequestCounts {
  requests_total: number;
  /** 5xx responses: the server's failures, not the callers'. */
  errors_total: number;
  duration_ms_total: number;
  requests_last_minute: number;
}

// Per-second buckets are kept a little past the minute that requests_per_minute looks at.
const KEEP_SECONDS = 120;

/**
 * The request counters of the whole deployment: one object (`idFromName("global")`) fed in batches
 * by every isolate (workers/metrics/recorder.ts), stored in its SQLite so they survive restarts.
 */
export class RequestMetrics extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS totals (id INTEGER PRIMARY KEY CHECK (id = 1), requests INTEGER NOT NULL, errors INTEGER NOT NULL, duration_ms INTEGER NOT NULL)`,
    );
    this.sql.exec(`INSERT OR IGNORE INTO totals (id, requests, errors, duration_ms) VALUES (1, 0, 0, 0)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS per_second (second INTEGER PRIMARY KEY, requests INTEGER NOT NULL)`);
  }

  async record(samples: RequestSample[]): Promise<void> {
    if (samples.length === 0) return;
    const errors = samples.filter((s) => s.status >= 500).length;
    const duration = samples.reduce((sum, s) => sum + Math.max(0, Math.round(s.durationMs)), 0);
    const perSecond = new Map<number, number>();
    for (const s of samples) perSecond.set(Math.floor(s.at / 1000), (perSecond.get(Math.floor(s.at / 1000)) ?? 0) + 1);
    // Synchronous SQL calls inside one RPC commit together (the object's implicit transaction).
    this.sql.exec(
      `UPDATE totals SET requests = requests + ?, errors = errors + ?, duration_ms = duration_ms + ? WHERE id = 1`,
      samples.length,
      errors,
      duration,
    );
    for (const [second, n] of perSecond) {
      this.sql.exec(
        `INSERT INTO per_second (second, requests) VALUES (?, ?) ON CONFLICT (second) DO UPDATE SET requests = requests + excluded.requests`,
        second,
        n,
      );
    }
    this.sql.exec(`DELETE FROM per_second WHERE second < ?`, Math.floor(Date.now() / 1000) - KEEP_SECONDS);
  }

  async counts(): Promise<RequestCounts> {
    const totals = this.sql
      .exec<{ requests: number; errors: number; duration_ms: number }>(`SELECT requests, errors, duration_ms FROM totals WHERE id = 1`)
      .one();
    // The last 60 whole seconds, the current one included.
    const since = Math.floor(Date.now() / 1000) - 59;
    const recent = this.sql.exec<{ n: number }>(`SELECT COALESCE(SUM(requests), 0) AS n FROM per_second WHERE second >= ?`, since).one();
    return {
      requests_total: totals.requests,
      errors_total: totals.errors,
      duration_ms_total: totals.duration_ms,
      requests_last_minute: recent.n,
    };
  }
}
