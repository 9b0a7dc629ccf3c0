/**
 * `npm run bench`: one run against `npm start` (instant emulated LLM, rate limits off), every row a
 * ratio to the bare route measured in the same run. Prints a table and writes bench/RESULTS.md.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { startStack } from "../tools/stack.ts";
import { load, type LoadResult } from "./http-load.ts";
import { concurrentSockets, firstChunkLatency, idleSockets, sessionThroughput } from "./realtime.ts";
import { seedHistory } from "./seed-history.ts";
import { workerdRssKiB } from "./support.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const HISTORY_SIZES = [100, 10_000, 100_000];
const env = { LLM_EMULATOR_TOKEN_DELAY_MS: "0", RATE_LIMIT_PER_MINUTE: "0" };
const rows: string[][] = [];
const fmt = (n: number, digits = 0) => n.toFixed(digits);

// 1. Sessions whose histories are then seeded while the stack is down.
let stack = await startStack(env);
const auth = { Authorization: `Bearer ${stack.adminKey}`, "Content-Type": "application/json" };
// Chat rows use a text-only character: they measure turns, not the GPU jobs a speaking character starts.
await fetch(`${stack.baseUrl}/api/v1/characters`, {
  method: "POST",
  headers: auth,
  body: JSON.stringify({ id: "plain", name: "Plain", capabilities: ["text"] }),
});
for (const size of HISTORY_SIZES) {
  await fetch(`${stack.baseUrl}/api/v1/chat/message`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ message: "start", character_id: "plain", session_id: `bench-history-${size}` }),
  });
}
await stack.stop({ keepState: true });
for (const size of HISTORY_SIZES) seedHistory(stack.persistDir, `bench-history-${size}`, size);
stack = await startStack(env, { persistDir: stack.persistDir });

try {
  // 2. Memory of answering a turn, on a fresh process: a 100-message session, then a 100,000-message one.
  const turn = (session: string) =>
    fetch(`${stack.baseUrl}/api/v1/chat/message`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ message: "memory probe", character_id: "plain", session_id: session }),
    }).then((r) => r.json());
  const rss0 = workerdRssKiB(stack.pgid);
  await turn("bench-history-100");
  const rss100 = workerdRssKiB(stack.pgid);
  await turn("bench-history-100000");
  const rss100k = workerdRssKiB(stack.pgid);

  // 3. HTTP routes against the bare route.
  const bare = await load({ url: `${stack.baseUrl}/ping`, seconds: SECONDS });
  const row = (name: string, r: LoadResult, target?: number) => {
    const ratio = r.rps / bare.rps;
    rows.push([
      name,
      fmt(r.rps),
      fmt(r.p50),
      fmt(r.p99),
      `${ratio.toFixed(2)}x`,
      target ? (ratio >= target ? `>= ${target}x: met` : `>= ${target}x: MISSED`) : "baseline",
      r.errors + r.non2xx > 0 ? `${r.errors} errors, ${r.non2xx} non-2xx` : "",
    ]);
  };
  row("GET /ping (bare route, no middleware)", bare);
  row("GET /api/v1/characters (auth + D1 read)", await load({ url: `${stack.baseUrl}/api/v1/characters`, headers: auth, seconds: SECONDS }), 0.8);
  row(
    "POST /api/v1/chat/message (instant LLM, 50 sessions)",
    await load({
      url: `${stack.baseUrl}/api/v1/chat/message`,
      method: "POST",
      headers: auth,
      body: (i) => JSON.stringify({ message: `bench ${i}`, character_id: "plain", session_id: `bench-chat-${i % 50}` }),
      seconds: SECONDS,
    }),
    0.5,
  );
  const pages: LoadResult[] = [];
  for (const size of HISTORY_SIZES) {
    const page = await load({
      url: `${stack.baseUrl}/api/v1/chat/history/bench-history-${size}?limit=50&offset=${Math.floor(size / 2)}`,
      headers: auth,
      seconds: SECONDS,
    });
    pages.push(page);
    row(`GET history?limit=50 at ${size.toLocaleString("en")} messages`, page, 0.8);
  }
  const flat = pages[2]!.rps / pages[0]!.rps;
  rows.push([
    "history page at 100,000 vs at 100 messages",
    "",
    "",
    "",
    `${flat.toFixed(2)}x`,
    flat >= 1 / 1.2 ? "within 1.2x: met" : "within 1.2x: MISSED",
    `p50 ${fmt(pages[0]!.p50)} -> ${fmt(pages[2]!.p50)} ms`,
  ]);
  rows.push([
    "memory to answer a turn (workerd RSS delta)",
    "",
    "",
    "",
    "",
    "",
    `100-message session +${fmt((rss100 - rss0) / 1024, 1)} MiB (first object), 100,000-message session +${fmt((rss100k - rss100) / 1024, 1)} MiB (the seeded SQLite file is ~${fmt((100_000 * 110) / 1024 / 1024)} MiB)`,
  ]);

  // 4. WebSocket.
  const ttfcDirect = await firstChunkLatency(stack, 200, true);
  const ttfcLobby = await firstChunkLatency(stack, 200, false);
  rows.push([
    "WS first response_chunk, one socket (direct / lobby)",
    "",
    `${fmt(ttfcDirect.p50, 1)} / ${fmt(ttfcLobby.p50, 1)}`,
    `${fmt(ttfcDirect.p99, 1)} / ${fmt(ttfcLobby.p99, 1)}`,
    "",
    "",
    "200 turns each, ms",
  ]);
  rows.push(["WS messages per second through one session", fmt(await sessionThroughput(stack, 200), 1), "", "", "", "", "200 sent back to back"]);
  const many = await concurrentSockets(stack, 200, 5);
  rows.push([
    "WS 200 sockets on 200 sessions (turns/s, first-chunk ms)",
    fmt(many.turnsPerSecond, 1),
    fmt(many.p50, 1),
    fmt(many.p99, 1),
    "",
    "",
    "5 turns per socket",
  ]);
  const idle = await idleSockets(stack, 2000, 100);
  rows.push([
    "WS idle authenticated sockets held",
    String(idle.open),
    "",
    "",
    "",
    "",
    `of 2000 after 15 s idle; workerd RSS ${fmt(idle.rssBeforeMiB)} -> ${fmt(idle.rssAfterMiB)} MiB (${fmt(idle.kibPerSocket)} KiB/socket)`,
  ]);
} finally {
  await stack.stop();
}

const workerd = execFileSync("npx", ["workerd", "--version"], { encoding: "utf8" }).trim();
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${fmt(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, ${workerd}`;
const header = ["route / measure", "req/s", "p50 ms", "p99 ms", "vs bare", "target", "notes"];
const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
const text = `# Benchmark results\n\nLatest \`npm run bench\`, ${new Date().toISOString()}, on ${machine}.\nLoopback, \`npm start\` (wrangler dev, local workerd), instant emulated LLM, rate limiting off, autocannon with 10 connections for ${SECONDS} s per row.\n\n${table}\n`;
writeFileSync("bench/RESULTS.md", text);
console.log(`\n${text}`);
