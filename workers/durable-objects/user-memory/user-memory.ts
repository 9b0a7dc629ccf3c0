import { DurableObject } from "cloudflare:workers";
import type { DeletedMemory, Memory, MemoryKind, MemoryList, MemoryListQuery, UpdateMemoryRequest } from "../../../shared/schemas/memories";
import type { Outcome } from "../../api-error";
import { isAdmin, type Caller } from "../../auth/caller";
import type { Env } from "../../env";
import { selectLlmProvider } from "../../llm/select-provider";
import { selectEmbeddingsProvider } from "../../memory/embeddings/select-provider";
import type { MemoryItem, MemoryRecall } from "../../memory/prompt-memory";
import type { KnownFact } from "../../memory/extraction";
import type { MemoryScope } from "../../memory/scope";
import type { SummaryJob } from "../../memory/summary";
import { errorText, log } from "../../log";
import { getDb } from "../../db/client";
import { registerMemoryScope } from "../../db/memory-scopes";
import { FactLog } from "./fact-log";
import { MemoryJobs, type MemoryJob } from "./memory-jobs";
import { MemorySearch } from "./memory-search";
import { MemoryVectors } from "./memory-vectors";
import { MemoryStore, toMemory, type MemoryRow } from "./memory-store";
import { runJob } from "./memory-work";

/** Recalled facts and messages per turn, before the prompt's budget cuts them. */
const RECALL_LIMIT = 8;
/** Pinned facts a prompt can hold at most (the budget may cut more). */
const PINNED_LIMIT = 50;
/** How long after a reply its exchange's work starts. */
const AFTER_REPLY_MS = 150;
/** When to try again to embed what the provider failed to. */
const EMBED_RETRY_MS = 5000;
/** Known facts an extraction reads at most. */
const KNOWN_FACTS = 24;
/** Jobs one alarm runs before it yields to the next alarm. */
const JOBS_PER_ALARM = 20;

const NOT_FOUND = (id: string) => ({ ok: false as const, code: "NOT_FOUND" as const, message: `No memory ${id}` });
const LISTED_KINDS: MemoryKind[] = ["pinned", "fact", "summary"];

/**
 * The memory of one end user with one character, under one API key (CHARACTER-ENGINE.md §3): facts,
 * summaries and messages with their embeddings in this object's SQLite, searched by meaning and by words.
 * Turns ask it what to recall and hand it each exchange; the work after an exchange runs from an alarm,
 * never on the reply's path.
 */
export class UserMemory extends DurableObject<Env> {
  private parts?: { store: MemoryStore; facts: FactLog; jobs: MemoryJobs; search: MemorySearch; vectors: MemoryVectors };
  // A new session without a user asks its (empty) memory object on its first turn: an object nothing was
  // written to answers without creating its tables, and its first write creates them.
  private hasTables: boolean;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.hasTables = ctx.storage.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'memories'`).toArray().length > 0;
  }

  private built() {
    if (!this.parts) {
      const { sql } = this.ctx.storage;
      const store = new MemoryStore(sql, this.ctx.id.toString());
      const jobs = new MemoryJobs(sql);
      const search = new MemorySearch(store);
      const retryLater = async () => {
        jobs.add({ kind: "embed" }, Date.now() + EMBED_RETRY_MS);
        await this.schedule();
      };
      this.parts = { store, facts: new FactLog(sql, store), jobs, search, vectors: new MemoryVectors(this.env, store, search, retryLater) };
      this.hasTables = true;
    }
    return this.parts;
  }

  private get store() {
    return this.built().store;
  }
  private get facts() {
    return this.built().facts;
  }
  private get jobs() {
    return this.built().jobs;
  }
  private get search() {
    return this.built().search;
  }
  private get vectors() {
    return this.built().vectors;
  }

  // ---- the API: a key reaches only its own memory (another key's is "not found"), admin every one ----

  async create(caller: Caller, scope: MemoryScope, input: { content: string; pinned: boolean }): Promise<Outcome<Memory>> {
    const denied = this.claim(caller, scope);
    if (denied) return denied;
    await this.register();
    const row = this.store.insert({ kind: input.pinned ? "pinned" : "fact", content: input.content }, this.now());
    await this.vectors.embed([row]).catch(() => undefined);
    return { ok: true, value: this.toMemory(row) };
  }

  async list(caller: Caller, query: MemoryListQuery): Promise<Outcome<MemoryList>> {
    if (!this.hasTables || !this.owns(caller))
      return { ok: true, value: { memories: [], total: 0, limit: query.limit, offset: query.offset, has_more: false } };
    if (query.q === undefined) {
      const { rows, total } = this.store.list(query.kind ? [query.kind] : LISTED_KINDS, query.limit, query.offset);
      return {
        ok: true,
        value: {
          memories: rows.map((row) => this.toMemory(row)),
          total,
          limit: query.limit,
          offset: query.offset,
          has_more: query.offset + rows.length < total,
        },
      };
    }
    const { vector, degraded } = await this.vectors.queryVector(query.q);
    const hits = this.search.search(query.q, vector, query.kind ? [query.kind] : ["pinned", "fact", "summary", "message"], query.offset + query.limit);
    const page = hits.slice(query.offset, query.offset + query.limit);
    return {
      ok: true,
      value: {
        memories: page.map((hit) => ({
          ...this.toMemory(hit.row),
          score: round(hit.score),
          vector_score: roundOrNull(hit.vectorScore),
          text_score: roundOrNull(hit.textScore),
        })),
        total: hits.length,
        limit: query.limit,
        offset: query.offset,
        has_more: hits.length > query.offset + query.limit,
        ...(degraded ? { degraded } : {}),
      },
    };
  }

  async update(caller: Caller, id: string, change: UpdateMemoryRequest): Promise<Outcome<Memory>> {
    const row = this.hasTables && this.owns(caller) ? this.store.get(id) : undefined;
    if (!row || row.active === 0) return NOT_FOUND(id);
    if (row.kind === "message")
      return { ok: false, code: "INVALID_REQUEST", message: "A message memory is the message itself: edit the message in its session" };
    if (change.pinned !== undefined && row.kind === "summary") return { ok: false, code: "INVALID_REQUEST", message: "A summary cannot be pinned" };
    const kind: MemoryKind | undefined = change.pinned === undefined || row.kind === "summary" ? undefined : change.pinned ? "pinned" : "fact";
    const updated = this.store.update(id, { content: change.content, kind }, this.now())!;
    if (change.content !== undefined && change.content !== row.content) await this.vectors.embed([updated]).catch(() => undefined);
    else this.search.setActive(updated.rowid, updated.kind, true);
    return { ok: true, value: this.toMemory(updated) };
  }

  async remove(caller: Caller, id: string): Promise<Outcome<DeletedMemory>> {
    const row = this.hasTables && this.owns(caller) ? this.store.get(id) : undefined;
    if (!row || row.active === 0) return NOT_FOUND(id);
    this.store.remove(id);
    this.facts.forgetMemory(id);
    this.search.remove(row.rowid);
    return { ok: true, value: { id, deleted: true } };
  }

  // ---- the chat session's side ----

  /** What a turn's prompt may draw on: pinned facts, the session's summary, and facts and messages like the query. */
  async recall(request: { sessionId: string; query: string }): Promise<MemoryRecall> {
    // A user nothing is known of costs no embeddings call.
    if (!this.hasTables || this.store.isEmpty()) return { pinned: [], hits: [] };
    const pinned = this.store
      .list(["pinned"], PINNED_LIMIT, 0)
      .rows.reverse()
      .map((row) => item(row, null));
    const summary = this.store.summaryOf(request.sessionId);
    const { vector, degraded } = await this.vectors.queryVector(request.query);
    const hits = this.search.search(request.query, vector, ["fact", "message"], RECALL_LIMIT).map((hit) => item(hit.row, round(hit.score)));
    return { pinned, ...(summary ? { summary: { ...item(summary, null), anchorId: summary.anchor_id! } } : {}), hits, ...(degraded ? { degraded } : {}) };
  }

  /** Queues what follows an exchange: its messages kept for recall, its facts extracted, maybe a summary. */
  async afterTurn(scope: MemoryScope, exchange: Extract<MemoryJob, { kind: "exchange" }>, summary?: SummaryJob): Promise<void> {
    this.claim(undefined, scope);
    await this.register();
    // A moment later: the reply's last bytes are still on their way out of this process.
    const at = Date.now() + AFTER_REPLY_MS;
    this.jobs.add(exchange, at);
    if (summary) this.jobs.add({ kind: "summary", ...summary }, at);
    await this.schedule();
  }

  /**
   * Messages left the session's active branch (withdraw what they produced) or came back to it (show
   * their messages and summaries again, and read their exchanges again, the latest few).
   */
  async branchMoved(moves: { left: string[]; joined: string[]; reread: Extract<MemoryJob, { kind: "exchange" }>[] }): Promise<void> {
    if (!this.hasTables) return;
    const at = this.now();
    this.jobs.dropMessages(moves.left);
    const withdrawn = this.facts.withdraw(moves.left, at);
    for (const row of withdrawn.removed) this.search.remove(row.rowid);
    for (const row of withdrawn.shown) this.search.setActive(row.rowid, row.kind, true);
    for (const row of this.store.setActiveByAnchor(moves.left, false)) this.search.setActive(row.rowid, row.kind, false);
    for (const row of this.store.setActiveByAnchor(moves.joined, true)) this.search.setActive(row.rowid, row.kind, true);
    for (const exchange of moves.reread) this.jobs.add({ ...exchange, embedMessages: false }, Date.now());
    await this.vectors.embed(withdrawn.written).catch(() => undefined);
    await this.schedule();
  }

  /** A session's history was cleared: everything it produced goes, and what it changed in other facts is taken back. */
  async forgetSession(sessionId: string): Promise<void> {
    if (!this.hasTables) return;
    const at = this.now();
    this.jobs.dropSession(sessionId);
    const withdrawn = this.facts.forgetSession(sessionId, at);
    for (const row of withdrawn.removed) this.search.remove(row.rowid);
    for (const row of withdrawn.shown) this.search.setActive(row.rowid, row.kind, true);
    for (const rowid of this.store.removeSession(sessionId)) this.search.remove(rowid);
    await this.vectors.embed(withdrawn.written).catch(() => undefined);
  }

  /** Jobs still waiting (for tests and the bench, which wait for the background work to settle). */
  async pendingJobs(): Promise<number> {
    return this.hasTables ? this.jobs.pending() : 0;
  }

  override async alarm(): Promise<void> {
    if (!this.hasTables) return;
    for (let ran = 0; ran < JOBS_PER_ALARM; ran++) {
      const queued = this.jobs.next(Date.now());
      if (!queued) break;
      try {
        await runJob(
          {
            store: this.store,
            facts: this.facts,
            llm: selectLlmProvider(this.env),
            embeddings: selectEmbeddingsProvider(this.env),
            relatedFacts: (text) => this.relatedFacts(text),
            embedRows: (rows) => this.vectors.embed(rows),
            stillQueued: () => this.jobs.has(queued.seq),
            now: Date.now,
          },
          queued.job,
        );
        this.jobs.done(queued.seq);
      } catch (error) {
        const retried = this.jobs.retry(queued.seq, queued.attempts, Date.now());
        log(retried ? "warn" : "error", "memory_job_failed", { kind: queued.job.kind, attempts: queued.attempts + 1, retried, error: errorText(error) });
      }
    }
    await this.schedule();
  }

  // ---- inside ----

  /** All facts while there are few; then the ones most like `text` (the LLM need not read thousands each turn). */
  private async relatedFacts(text: string): Promise<KnownFact[]> {
    if (this.facts.count() <= KNOWN_FACTS) return this.facts.known();
    const { vector } = await this.vectors.queryVector(text);
    return this.search
      .search(text, vector, ["pinned", "fact"], KNOWN_FACTS)
      .map((hit) => ({ id: hit.row.id, content: hit.row.content, pinned: hit.row.kind === "pinned" }))
      .reverse();
  }

  private async schedule(): Promise<void> {
    const at = this.jobs.nextRunAt();
    if (at !== undefined) await this.ctx.storage.setAlarm(at);
  }

  /** Records whose memory this is on the first write; answers NOT_FOUND to a key that is not its owner. */
  private claim(caller: Caller | undefined, scope: MemoryScope): Outcome<never> | undefined {
    if (this.store.getMeta("key_id") === null) {
      this.store.setMeta("key_id", scope.keyId);
      this.store.setMeta("scope", JSON.stringify(scope));
    }
    return caller && !this.owns(caller) ? NOT_FOUND("scope") : undefined;
  }

  /** Puts the object in D1's index of memory objects (once; retried on the next write if D1 failed). */
  private async register(): Promise<void> {
    if (this.store.getMeta("registered") !== null) return;
    const scope = JSON.parse(this.store.getMeta("scope")!) as MemoryScope;
    try {
      await registerMemoryScope(getDb(this.env.DB), this.ctx.id.toString(), scope, this.now());
      this.store.setMeta("registered", "1");
    } catch (error) {
      log("error", "memory_scope_register_failed", { error: errorText(error) });
    }
  }

  private owns(caller: Caller): boolean {
    const owner = this.store.getMeta("key_id");
    return owner !== null && (owner === caller.keyId || isAdmin(caller));
  }

  private toMemory(row: MemoryRow): Memory {
    const scope = JSON.parse(this.store.getMeta("scope")!) as MemoryScope;
    return toMemory(row, scope);
  }

  private now(): string {
    return new Date().toISOString();
  }
}

const item = (row: MemoryRow, score: number | null): MemoryItem => ({
  id: row.id,
  kind: row.kind,
  content: row.content,
  score,
  pinned: row.kind === "pinned",
  ...(row.kind === "message" ? { messageId: row.anchor_id!, role: row.role === "assistant" ? ("assistant" as const) : ("user" as const) } : {}),
});

const round = (n: number) => Math.round(n * 10_000) / 10_000;
const roundOrNull = (n: number | null) => (n === null ? null : round(n));
