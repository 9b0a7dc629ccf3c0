/**
 * Lorebook rows (issue 14): the CPU of one activation over 1,000 entries and 10 messages, and a turn's
 * latency without a lorebook and with a 1,000-entry one attached (bench/lore-book.ts, both).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { call } from "../client.ts";
import { textCharacter } from "../fixtures.ts";
import { benchBook, characterBookDocument, LORE_ENTRIES, LORE_SCAN_DEPTH, sureKeys } from "../lore-book.ts";
import { firstChunkMs, inTurns, timeRequest } from "../one-at-a-time.ts";
import { infoRow, type Row } from "../report.ts";
import { median, percentile } from "../support.ts";
import type { BenchContext } from "./context.ts";

const TARGET_P50_MS = 5;
const SAMPLES = 100;
const SESSIONS = 10;
const NO_BOOK = "bench-lore-none";
const WITH_BOOK = "bench-lore-book";
const ACTIVATION_SCRIPT = fileURLToPath(new URL("../lore-activation.ts", import.meta.url));

interface ActivationFigures {
  entries: number;
  scanDepth: number;
  runs: number;
  warmup: number;
  budget: number;
  prepareMs: number;
  p50: number;
  p95: number;
  max: number;
  constants: number;
  insertedMean: number;
  tokensMean: number;
  stepsMin: number;
  stepsMax: number;
  regexTestsMean: number;
}

/**
 * bench/lore-activation.ts in a Node process of its own (the harness's Node, 22): the engine's imports
 * have no extensions, so it is bundled first with esbuild, as wrangler bundles the Worker.
 */
function runActivation(): ActivationFigures {
  const dir = mkdtempSync(join(tmpdir(), "chatacter-lore-bench-"));
  try {
    const bundle = join(dir, "lore-activation.mjs");
    const build = spawnSync(
      "npx",
      ["esbuild", ACTIVATION_SCRIPT, "--bundle", "--platform=node", "--format=esm", "--target=node22", `--outfile=${bundle}`, "--log-level=warning"],
      { encoding: "utf8" },
    );
    if (build.status !== 0) throw new Error(`esbuild ${ACTIVATION_SCRIPT}: ${build.stderr}`);
    const run = spawnSync(process.execPath, [bundle, "--json"], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bench/lore-activation.ts: ${run.stderr}`);
    return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as ActivationFigures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function activationRow(): Row {
  const a = runActivation();
  return {
    what: `lore activation CPU per turn, ${a.entries.toLocaleString("en")} entries, scan depth ${a.scanDepth} messages`,
    measured: `p50 ${a.p50.toFixed(2)} ms, p95 ${a.p95.toFixed(2)} ms CPU`,
    baseline: "",
    compared: "",
    target: `p50 < ${TARGET_P50_MS} ms`,
    result: a.p50 < TARGET_P50_MS ? "met" : "MISSED",
    notes:
      `${a.runs} activations after ${a.warmup} warm-up, one Node process (bench/lore-activation.ts bundled by esbuild), process CPU time; max ${a.max.toFixed(2)} ms; ` +
      `each: ${a.insertedMean.toFixed(1)} entries inserted (${a.constants} constants in the book), ${a.tokensMean.toFixed(0)} of ${a.budget} tokens, ` +
      `${a.stepsMin === a.stepsMax ? a.stepsMin : `${a.stepsMin}-${a.stepsMax}`} sweeps (recursion), ${a.regexTestsMean.toFixed(0)} regex tests; ` +
      `prepareBooks once, apart: ${a.prepareMs.toFixed(1)} ms`,
  };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const signed = (n: number) => `${n >= 0 ? "+" : ""}${ms(n)}`;
const figures = (samples: number[]) => `p50 ${ms(median(samples))}, p99 ${ms(percentile(samples, 99))}`;

/**
 * Turns one at a time, in turns: the bare Worker (a POST of the same JSON body; its SSE event), then
 * a character without a lorebook and the same character's fields with the book attached, each as a
 * full non-streaming turn and as the first `response_chunk` of a streamed one. The message names
 * three keys of entries that always fire when said, so those fire every turn, with what they bring
 * in by recursion and the book's constants.
 */
async function loreTurnRows({ bare, stack, client, api, headers }: BenchContext): Promise<Row[]> {
  const admin = { baseUrl: client.baseUrl, key: stack.adminKey };
  const created = await call(admin, "POST", "/api/v1/lorebooks", characterBookDocument(benchBook));
  if (created.entry_count !== LORE_ENTRIES) throw new Error(`the bench lorebook has ${created.entry_count} entries, not ${LORE_ENTRIES}`);
  await call(admin, "POST", "/api/v1/characters", { ...textCharacter(NO_BOOK), lorebook_ids: [] });
  await call(admin, "POST", "/api/v1/characters", { ...textCharacter(WITH_BOOK), lorebook_ids: [created.id] });

  const [k1, k2, k3] = sureKeys(benchBook, 3);
  const message = (n: number) => `We rode past ${k1} to the hall of ${k2}, where ${k3} was waiting for us (turn ${n}).`;
  const counters: Record<string, number> = {};
  const body = (characterId: string, stream: boolean) => {
    const probe = `${characterId}-${stream ? "sse" : "full"}`;
    const n = (counters[probe] ?? -1) + 1;
    counters[probe] = n;
    const sessionId = `${probe}-${n % SESSIONS}`;
    return JSON.stringify({ message: message(n), character_id: characterId, session_id: sessionId, ...(stream ? { stream: true } : {}) });
  };
  const loreEntries: number[] = [];
  const fullTurn = async (characterId: string) => {
    const started = performance.now();
    const res = await fetch(api("/api/v1/chat/message"), { method: "POST", headers, body: body(characterId, false) });
    const answer = (await res.json()) as any;
    const took = performance.now() - started;
    if (!res.ok) throw new Error(`turn of ${characterId}: ${res.status} ${JSON.stringify(answer)}`);
    const fired = answer.metadata?.lore_entries?.length ?? 0;
    if ((characterId === WITH_BOOK) !== fired > 0) throw new Error(`turn of ${characterId}: ${fired} lore entries in its prompt`);
    if (characterId === WITH_BOOK) loreEntries.push(fired);
    return took;
  };
  const streamed = (characterId: string) => firstChunkMs(api("/api/v1/chat/message"), { method: "POST", headers, body: body(characterId, true) });

  // Every session starts before the timing: the first turn of a session creates its Durable Object.
  for (let i = 0; i < SESSIONS; i++) {
    for (const characterId of [NO_BOOK, WITH_BOOK]) {
      await fullTurn(characterId);
      await streamed(characterId);
    }
  }
  loreEntries.length = 0;
  const bareBody = body("bare", false);
  const t = await inTurns(
    {
      barePost: () => timeRequest(bare.baseUrl, { method: "POST", headers, body: bareBody }),
      noBook: () => fullTurn(NO_BOOK),
      withBook: () => fullTurn(WITH_BOOK),
      bareSse: () => firstChunkMs(bare.sseUrl),
      noBookFirst: () => streamed(NO_BOOK),
      withBookFirst: () => streamed(WITH_BOOK),
    },
    SAMPLES,
    10,
  );
  // What the last turn's prompt carried, as the context preview builds it for the next.
  const preview = await call(client, "POST", `/api/v1/chat/sessions/${WITH_BOOK}-full-0/context`, { character_id: WITH_BOOK, message: message(0) });

  const book = `a ${LORE_ENTRIES.toLocaleString("en")}-entry lorebook attached (scan depth ${LORE_SCAN_DEPTH})`;
  const pair = (what: string, without: number[], withBook: number[], bareSamples: number[], bareLabel: string, notes: string): Row[] => [
    {
      what: `${what}, no lorebook, one at a time`,
      measured: figures(without),
      baseline: `${bareLabel} p50 ${ms(median(bareSamples))}`,
      compared: signed(median(without) - median(bareSamples)),
      target: "",
      result: "",
      notes: `${without.length} samples; in turns with the two rows below and the bare Worker`,
    },
    {
      what: `${what}, ${book}, one at a time`,
      measured: figures(withBook),
      baseline: `no lorebook p50 ${ms(median(without))}`,
      compared: `${signed(median(withBook) - median(without))} (${(median(withBook) / median(without)).toFixed(2)}x)`,
      target: "",
      result: "",
      notes: `${withBook.length} samples; over ${bareLabel}: ${signed(median(withBook) - median(bareSamples))}${notes ? `; ${notes}` : ""}`,
    },
  ];
  const fired = `entries in each prompt: ${Math.min(...loreEntries)}-${Math.max(...loreEntries)} (median ${median(loreEntries)}); the context preview of the next turn: ${preview.lore.length} entries, ${preview.tokens.sections.lore} lore tokens (budget: 25% of the context window), ${preview.tokens.total} tokens in all`;
  return [
    ...pair("full turn (non-streaming)", t.noBook, t.withBook, t.barePost, "bare POST", `the message names 3 keys (${k1}, ${k2}, ${k3}); ${fired}`),
    ...pair("first response_chunk over SSE", t.noBookFirst, t.withBookFirst, t.bareSse, "bare SSE first event", ""),
  ];
}

/** The activation row, then the turn rows, and how long they took. */
export async function loreRows(context: BenchContext): Promise<Row[]> {
  const started = performance.now();
  const activation = activationRow();
  const turns = await loreTurnRows(context);
  const seconds = (performance.now() - started) / 1000;
  return [
    activation,
    ...turns,
    infoRow(
      "lorebook rows, time taken",
      `${seconds.toFixed(0)} s`,
      `the activation run (bundle and ${LORE_ENTRIES.toLocaleString("en")}-entry book included), the book's upload, ${SESSIONS * 4} warm-up turns, ${SAMPLES} samples of each of 6 probes in blocks of 10`,
    ),
  ];
}
