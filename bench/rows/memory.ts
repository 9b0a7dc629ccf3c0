/**
 * Memory search over one user's 1,000 / 10,000 / 100,000 memories (seeded: bench/seed-memories.ts), one
 * request at a time against the bare Worker's GET; the first, cold search of each object once; the
 * objects' storage per memory; and turns with memory on vs off (memory-turns.ts).
 */
import type { MemoryList } from "../../shared/schemas/memories.ts";
import { TEXT_CHARACTER } from "../fixtures.ts";
import { MEMORY_QUERIES } from "../memory-corpus.ts";
import type { MemoryOffStack, SeededMemoryUser } from "../memory-setup.ts";
import { inTurns, timeRequest } from "../one-at-a-time.ts";
import { byRole, processesOf } from "../processes.ts";
import { infoRow, type Row } from "../report.ts";
import { sqliteBytes } from "../seed-memories.ts";
import { median, percentile } from "../support.ts";
import type { BenchContext } from "./context.ts";
import { memoryTurnRows } from "./memory-turns.ts";

const SAMPLES = 100;
const LIMIT = 10;
/** The target: a search over 10,000 memories answers in under 10 ms (p50, the whole round trip). */
const TARGET_MS = 10;
const TARGET_SIZE = 10_000;

const ms = (n: number) => `${n.toFixed(1)} ms`;
const count = (n: number) => n.toLocaleString("en");

async function memorySearchRows({ bare, stack, api, headers }: BenchContext, users: SeededMemoryUser[]): Promise<Row[]> {
  const url = (user: SeededMemoryUser, q: string) =>
    api(`/api/v1/memories?${new URLSearchParams({ character_id: TEXT_CHARACTER, user_id: user.userId, q, limit: String(LIMIT) })}`);
  const search = async (user: SeededMemoryUser, q: string) => {
    const started = performance.now();
    const res = await fetch(url(user, q), { headers });
    const body = (await res.json()) as MemoryList;
    if (!res.ok) throw new Error(`memory search of ${user.userId}: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, body };
  };
  const workerRss = () => byRole(processesOf(stack.pgid), "Worker workerd")!.rssKiB;

  // The first search after the restart: the object starts and loads its 8-bit vectors from SQLite.
  const rows: Row[] = [];
  for (const user of users) {
    const before = workerRss();
    const { ms: coldMs, body } = await search(user, MEMORY_QUERIES[0]!);
    const grew = (workerRss() - before) / 1024;
    checkHits(user, body);
    rows.push(
      infoRow(
        `first (cold) memory search over ${count(user.size)} memories`,
        ms(coldMs),
        `once, after the restart that follows the seeding: the object starts and loads its vector index (${count(user.size)} vectors of 8 bits); Worker workerd RSS ${grew >= 0 ? "+" : ""}${grew.toFixed(1)} MiB`,
      ),
    );
  }
  // Every query once: the object keeps its last 16 query vectors, so the rows below time the search, not the embeddings call.
  for (const user of users) for (const q of MEMORY_QUERIES) await search(user, q);

  const asked = new Map<string, number>();
  const nextQuery = (key: string) => {
    const n = asked.get(key) ?? 0;
    asked.set(key, n + 1);
    return MEMORY_QUERIES[n % MEMORY_QUERIES.length]!;
  };
  const target = users.find((u) => u.size === TARGET_SIZE);
  const probes: Record<string, () => Promise<number>> = { bare: () => timeRequest(bare.baseUrl) };
  for (const user of users) probes[user.userId] = async () => (await search(user, nextQuery(user.userId))).ms;
  // A query the object has not seen: its embeddings call is in the time.
  if (target) probes.fresh = async () => (await search(target, `${nextQuery("fresh")} (${asked.get("fresh")})`)).ms;
  const seq = await inTurns(probes, SAMPLES, 10);

  const bareP50 = median(seq.bare!);
  const searchRow = (what: string, samples: number[], withTarget: boolean, notes: string): Row => {
    const extra = median(samples) - bareP50;
    return {
      what,
      measured: `p50 ${ms(median(samples))}, p90 ${ms(percentile(samples, 90))}`,
      baseline: `bare GET p50 ${ms(bareP50)}`,
      compared: `${extra >= 0 ? "+" : ""}${ms(extra)}`,
      target: withTarget ? `p50 < ${TARGET_MS} ms` : "",
      result: withTarget ? (median(samples) < TARGET_MS ? "met" : "MISSED") : "",
      notes: `${samples.length} samples, in turns with the bare Worker and the other sizes; ${notes}`,
    };
  };
  const queries = `${MEMORY_QUERIES.length} queries in turn, their vectors cached by the object (the search alone: 8-bit scan, exact re-scoring, FTS5 BM25, fusion)`;
  for (const user of users) {
    rows.push(searchRow(`memory search (limit=${LIMIT}) over ${count(user.size)} memories, warm, one at a time`, seq[user.userId]!, user === target, queries));
  }
  if (target) {
    rows.push(
      searchRow(
        `memory search over ${count(target.size)} memories, a new query each time, one at a time`,
        seq.fresh!,
        false,
        "each query unseen (a counter appended): the object's embeddings call to the LLM emulator is in the time",
      ),
    );
  }
  return rows;
}

/** A search that found nothing by one of its two rankings measured half a search. */
function checkHits(user: SeededMemoryUser, body: MemoryList): void {
  const byVector = body.memories.filter((m) => m.vector_score !== null && m.vector_score !== undefined).length;
  const byText = body.memories.filter((m) => m.text_score !== null && m.text_score !== undefined).length;
  if (body.degraded || body.memories.length < LIMIT || byVector === 0 || byText === 0) {
    throw new Error(`memory search of ${user.userId} found ${body.memories.length} (${byVector} by vector, ${byText} by text): ${body.degraded ?? ""}`);
  }
}

/** The object's SQLite file (with its WAL) per memory it holds, and where the bytes were right after seeding. */
function memoryStorageRows(users: SeededMemoryUser[]): Row[] {
  return users.map((user) => {
    const bytes = sqliteBytes(user.seeded.file);
    const at = user.seeded.bytesPerMemory;
    const parts = `memories table ${at.rows.toFixed(0)} B (the 388-byte 8-bit vector inline), exact Float32 vectors ${at.vectors.toFixed(0)} B, FTS5 ${at.fts.toFixed(0)} B, indexes ${at.indexes.toFixed(0)} B, other ${at.other.toFixed(0)} B`;
    return infoRow(
      `memory object storage per memory, ${count(user.size)} memories`,
      `${(bytes / user.size / 1024).toFixed(2)} KiB (file ${(bytes / 2 ** 20).toFixed(1)} MiB)`,
      `the SQLite file and its -wal while the stack runs, over ${count(user.size)}; right after seeding (dbstat), per memory: ${parts}; seeded in ${user.seeded.seconds.toFixed(1)} s`,
    );
  });
}

export const MEMORY_SIZES = [1_000, 10_000, 100_000];

/** All the memory rows; the memory-off stack is stopped after them, so it loads none of the rows that follow. */
export async function memoryRows(context: BenchContext, { users, off }: { users: SeededMemoryUser[]; off: MemoryOffStack }): Promise<Row[]> {
  const started = performance.now();
  try {
    const search = await memorySearchRows(context, users);
    const storage = memoryStorageRows(users);
    const turns = await memoryTurnRows(context, users.find((u) => u.size === TARGET_SIZE)!, off);
    const seeding = users.reduce((sum, u) => sum + u.seeded.seconds, 0);
    const took = infoRow(
      "memory rows, time taken",
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
      `cold and warm searches, storage, turns on vs off; not included: seeding ${seeding.toFixed(0)} s (stack stopped) and the memory-off stack's start (beside the restart)`,
    );
    return [...search, ...storage, ...turns, took];
  } finally {
    await off.stop();
  }
}
