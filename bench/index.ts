/**
 * `npm run bench`: the project's stack (`npm start`, instant emulated LLM, rate limiting off) and a bare
 * Worker (bench/bare/, its own `wrangler dev`) run side by side, and every row is compared with the bare
 * Worker (or the text-only character) measured in the same run. Writes bench/RESULTS.md.
 * BENCH_SECONDS (4) per load window, BENCH_SOCKETS (10000) idle sockets. BENCH_ONLY=voice (or group) runs
 * those rows alone on a stack of their own and prints them, leaving bench/RESULTS.md as it is.
 */
import { writeFileSync } from "node:fs";
import { stopAll } from "./cleanup.ts";
import { TEXT_CHARACTER, turn } from "./fixtures.ts";
import { byRole, processesOf } from "./processes.ts";
import { infoRow, markdownTable, type Row } from "./report.ts";
import { idleSocketsSection, runHeader, runStart } from "./results-text.ts";
import { TREE_SESSIONS, treeRows } from "./rows/branches.ts";
import { benchContext } from "./rows/context.ts";
import { fullTurnRow } from "./rows/full-turns.ts";
import { loreRows } from "./rows/lore.ts";
import { MEMORY_SIZES, memoryRows } from "./rows/memory.ts";
import { getRows, sseRow } from "./rows/one-at-a-time.ts";
import { throughputRows } from "./rows/throughput.ts";
import { voiceRows } from "./rows/voice.ts";
import { firstChunkRows, idleSocketsRow } from "./rows/websocket.ts";
import { groupRows, groupRowsAlone } from "./rows/group.ts";
import { historySession, startBenchStacks } from "./setup.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);

const rows: Row[] = [];
const sections: string[] = [];
const start = runStart();

// Only the rows being worked on: no seeding, no bare Worker, nothing written.
const ONLY: Record<string, () => Promise<{ rows: Row[]; section: string }>> = { voice: voiceRows, group: groupRowsAlone };
const only = process.env.BENCH_ONLY;
if (only !== undefined) {
  const run = ONLY[only];
  if (!run) throw new Error(`BENCH_ONLY=${only}: known subsets are ${Object.keys(ONLY).join(", ")}`);
  try {
    const result = await run();
    console.log(`\n${runHeader(start, SECONDS)}\n\n${markdownTable(result.rows)}\n\n${result.section}\n`);
  } finally {
    await stopAll();
  }
  process.exit(0);
}

try {
  const { bare, stack, client, memory } = await startBenchStacks([100, 10_000, 100_000], TREE_SESSIONS, MEMORY_SIZES);
  const context = benchContext(bare, stack, client);

  // Memory first, on the freshly started process: a turn on a short session, then on the 100,000-message one.
  const workerRss = () => byRole(processesOf(stack.pgid), "Worker workerd")!.rssKiB;
  const rss0 = workerRss();
  await turn(client, TEXT_CHARACTER, historySession(100), "memory probe");
  const rss100 = workerRss();
  await turn(client, TEXT_CHARACTER, historySession(100_000), "memory probe");
  const rss100k = workerRss();

  console.error("bench: memory search, storage, and turns with memory on vs off");
  rows.push(...(await memoryRows(context, memory!)));
  console.error("bench: one request at a time");
  rows.push(...(await getRows(context)), await sseRow(context));
  console.error("bench: conversation tree at 100,000 messages");
  rows.push(...(await treeRows(context)));
  console.error("bench: full turns, text-only and voice+video");
  rows.push(await fullTurnRow(context));
  console.error("bench: lorebook activation and turns with a 1,000-entry book");
  rows.push(...(await loreRows(context)));
  console.error("bench: throughput");
  rows.push(...(await throughputRows(context, SECONDS)));
  console.error("bench: WebSocket");
  rows.push(...(await firstChunkRows(context)));
  console.error("bench: a group turn");
  rows.push(...(await groupRows(context)));
  console.error("bench: voice while the text streams (a stack of its own)");
  const voice = await voiceRows();
  rows.push(...voice.rows);
  sections.push(voice.section);
  rows.push(
    infoRow(
      "memory to answer a turn (Worker workerd RSS delta)",
      `+${((rss100 - rss0) / 1024).toFixed(1)} MiB, then +${((rss100k - rss100) / 1024).toFixed(1)} MiB`,
      `a 100-message session on the fresh process (its first Durable Object), then a 100,000-message one (its SQLite file ~${((100_000 * 110) / 2 ** 20).toFixed(0)} MiB)`,
    ),
  );
  console.error(`bench: ${SOCKETS} idle sockets`);
  const { row, idle } = await idleSocketsRow(context, SOCKETS);
  rows.push(row);
  sections.push(idleSocketsSection(idle));
} finally {
  await stopAll();
}

const text = `# Benchmark results\n\n${runHeader(start, SECONDS)}\n\n${markdownTable(rows)}\n\n${sections.join("\n\n")}\n`;
writeFileSync("bench/RESULTS.md", text);
console.log(`\n${text}`);
