import { extractionMessages, parseOperations, plannedChanges, type KnownFact } from "../../memory/extraction";
import { summaryMessages } from "../../memory/summary";
import { completeText } from "../../llm/complete";
import type { LlmProvider } from "../../llm/types";
import type { EmbeddingsProvider } from "../../memory/embeddings/types";
import { log } from "../../log";
import type { FactLog } from "./fact-log";
import type { MemoryJob } from "./memory-jobs";
import type { MemoryRow, MemoryStore } from "./memory-store";

export interface WorkDeps {
  store: MemoryStore;
  facts: FactLog;
  llm: LlmProvider | undefined;
  embeddings: EmbeddingsProvider | undefined;
  /** The known facts an exchange is checked against: the ones most like what the user said. */
  relatedFacts: (text: string) => Promise<KnownFact[]>;
  /** Embeds rows (and keeps the index in step); throws when the provider fails. */
  embedRows: (rows: MemoryRow[]) => Promise<void>;
  /** Whether the job is still wanted: its message may have left the branch while the LLM was thinking. */
  stillQueued: () => boolean;
  now: () => number;
}

const EXTRACTION_MAX_TOKENS = 400;
const SUMMARY_MAX_TOKENS = 400;

/**
 * Runs one job. Throws when a provider fails (the queue retries); an answer the LLM garbled is logged
 * and the job ends with nothing stored (asking again would cost as much and likely garble again).
 */
export async function runJob(deps: WorkDeps, job: MemoryJob): Promise<void> {
  if (job.kind === "exchange") return readExchange(deps, job);
  if (job.kind === "summary") return summarize(deps, job);
  return embedMissing(deps);
}

async function readExchange(deps: WorkDeps, job: Extract<MemoryJob, { kind: "exchange" }>): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  const { store, facts } = deps;
  if (job.embedMessages && !store.hasMessage(job.reply.id)) {
    // Stored first and embedded after: a provider that is down leaves them for the `embed` job, searchable by text meanwhile.
    const rows = [job.user && { ...job.user, role: "user" as const }, { ...job.reply, role: "assistant" as const }]
      .filter((m) => m !== undefined && m.text.trim() !== "")
      .map((m) => store.insert({ kind: "message", content: m!.text, sessionId: job.sessionId, sourceIds: [m!.id], anchorId: m!.id, role: m!.role }, at));
    await deps.embedRows(rows).catch(() => undefined);
  }
  if (!job.user || !deps.llm || facts.wasExtracted(job.reply.id)) return;
  const known = await deps.relatedFacts(job.user.text);
  const request = extractionMessages(known, { userText: job.user.text, replyText: job.reply.text, characterName: job.characterName });
  const answer = await completeText(deps.llm, request.messages, EXTRACTION_MAX_TOKENS);
  if (!deps.stillQueued()) return;
  const parsed = parseOperations(answer, request.shortIds);
  if (!parsed.ok) {
    log("warn", "memory_extraction_ignored", { message_id: job.reply.id, reason: parsed.reason });
    facts.apply({ messageId: job.reply.id, sessionId: job.sessionId, sourceIds: [job.user.id, job.reply.id] }, [], at);
    return;
  }
  const changed = facts.apply(
    { messageId: job.reply.id, sessionId: job.sessionId, sourceIds: [job.user.id, job.reply.id] },
    plannedChanges(known, parsed.operations),
    at,
  );
  await deps.embedRows(changed.written).catch(() => undefined);
}

async function summarize(deps: WorkDeps, job: Extract<MemoryJob, { kind: "summary" }>): Promise<void> {
  if (!deps.llm) return;
  const text = (await completeText(deps.llm, summaryMessages(job), SUMMARY_MAX_TOKENS)).trim();
  if (!deps.stillQueued()) return;
  if (!text) {
    log("warn", "memory_summary_ignored", { session_id: job.sessionId, reason: "the LLM answered nothing" });
    return;
  }
  const row = deps.store.insert(
    { kind: "summary", content: text.slice(0, 4000), sessionId: job.sessionId, sourceIds: job.sourceIds, anchorId: job.anchorId },
    new Date(deps.now()).toISOString(),
  );
  await deps.embedRows([row]).catch(() => undefined);
}

const EMBED_BATCH = 96;

/** Embeds what was stored while the provider was down, a batch per run; throws (to retry) while it still is. */
async function embedMissing(deps: WorkDeps): Promise<void> {
  if (!deps.embeddings) return;
  for (let rows = deps.store.unembedded(EMBED_BATCH); rows.length > 0; rows = deps.store.unembedded(EMBED_BATCH)) {
    await deps.embedRows(rows);
  }
}
