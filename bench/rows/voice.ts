/**
 * Voice while the text streams (issue 16, CHARACTER-ENGINE.md §4): a voice-only character's turns over
 * one WebSocket (bench/voice-turns.ts), on a stack of its own whose GPU emulator runs a prediction in
 * six steps of STEP_MS, so that the figures are the pipeline's rather than the emulated GPU's (the main
 * stack keeps the default 300 ms steps its voice+video rows were measured with). The subtraction and the
 * breakdown come from what each process wrote down (bench/voice-timeline.ts).
 */
import os from "node:os";
import { synthesizeSpeech } from "../../gpu-jobs/emulator/wav.ts";
import { startStack } from "../../tools/stack.ts";
import { stopOnExit } from "../cleanup.ts";
import { call } from "../client.ts";
import { emulatorOrigin } from "../first-token.ts";
import { createChatKey, textCharacter, voiceOnlyCharacter } from "../fixtures.ts";
import { processesOf, TICKS_PER_SECOND } from "../processes.ts";
import { infoRow, type Row } from "../report.ts";
import { STACK_ENV } from "../setup.ts";
import { median, percentile } from "../support.ts";
import { stackRecords, type ChunkTimes, type TurnTimes } from "../voice-timeline.ts";
import { voiceTurns, type VoicedTurn } from "../voice-turns.ts";

const TURNS = Number(process.env.BENCH_VOICE_TURNS ?? 40);
/** The GPU emulator's step: a prediction takes 6 of them (one queued, five running). */
const STEP_MS = Number(process.env.BENCH_VOICE_STEP_MS ?? 50);
/** The target: first response_chunk to first audio_chunk, minus the emulator's TTS, at p50. */
const OVERHEAD_BUDGET_MS = 50;
const SPEAKER = "bench-speaker";
const TEXT = "bench-text";

const cores = os.cpus().length;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const spread = (xs: number[]) => `p50 ${ms(median(xs))}, p90 ${ms(percentile(xs, 90))}, max ${ms(Math.max(...xs))}`;

function gpuOrigin(stackOutput: string): string {
  const url = stackOutput.match(/GPU EMULATOR at (http:\/\/\S+)/)?.[1];
  if (!url) throw new Error("npm start printed no GPU emulator address: is a GPU provider configured in .dev.vars?");
  return url;
}

interface Sample {
  turn: VoicedTurn;
  times: TurnTimes;
}

/** A step inside the copy into R2, from miniflare's own records: NaN when they were not found. */
const r2Step =
  (of: (chunk: ChunkTimes) => number) =>
  ({ times }: Sample) =>
    times.chunks[0]!.r2 ? of(times.chunks[0]!) : Number.NaN;

/** Each breakdown step: what it spans, and its duration in one turn. */
const STEPS: [string, (s: Sample) => number][] = [
  ["send -> the LLM emulator writes the first token", ({ turn, times }) => times.llmFirstToken - turn.sent],
  ["first token -> the client has the first response_chunk", ({ turn, times }) => turn.firstText - times.llmFirstToken],
  ["first token -> chunk 0 cut (its row made in the session's object)", ({ times }) => times.chunks[0]!.cut - times.llmFirstToken],
  ["**first response_chunk (client) -> chunk 0 cut**", ({ turn, times }) => times.chunks[0]!.cut - turn.firstText],
  [
    "**chunk 0 cut -> the GPU emulator has its create** (row stored in D1, job read and claimed, token stored, POST)",
    ({ times }) => times.chunks[0]!.created - times.chunks[0]!.cut,
  ],
  ["GPU emulator: create -> run begins (1 step)", ({ times }) => times.chunks[0]!.started - times.chunks[0]!.created],
  ["GPU emulator: run (5 steps)", ({ times }) => times.chunks[0]!.completed - times.chunks[0]!.started],
  [
    "**run ended -> Worker receives the completed webhook** (WAV made, webhook signed and posted, verified, job read)",
    ({ times }) => times.chunks[0]!.webhookReceived - times.chunks[0]!.completed,
  ],
  [
    "**webhook received -> job finalizing** (webhook id recorded, job read, moved)",
    ({ times }) => times.chunks[0]!.finalizing - times.chunks[0]!.webhookReceived,
  ],
  [
    "**finalizing -> completed** (WAV fetched from the emulator, put in R2, probed, job read, moved), of which:",
    ({ times }) => times.chunks[0]!.stored - times.chunks[0]!.finalizing,
  ],
  ["- finalizing -> R2 begins writing the blob (the WAV's fetch from the emulator begun, the put sent)", r2Step((c) => c.r2!.blobStarted - c.finalizing)],
  ["- blob begun -> object stored (miniflare's R2 writes the blob and its row)", r2Step((c) => c.r2!.uploaded - c.r2!.blobStarted)],
  ["- stored -> job completed (the WAV's header read back from R2, job read, moved)", r2Step((c) => c.stored - c.r2!.uploaded)],
  [
    "**completed -> the client has audio_chunk 0** (session object told, frame kept, sent through the dev proxy)",
    ({ turn, times }) => turn.audio[0]!.at - times.chunks[0]!.stored,
  ],
];

/** CPU ms used so far by the processes of a process group, summed by role (bench/processes.ts). */
function cpuByRole(pgid: number): Record<string, number> {
  const byRole: Record<string, number> = {};
  for (const p of processesOf(pgid)) byRole[p.role] = (byRole[p.role] ?? 0) + (p.cpuTicks * 1000) / TICKS_PER_SECOND;
  return byRole;
}

const lastStored = (times: TurnTimes) => Math.max(...times.chunks.map((c) => c.stored));
/** The chunk whose WAV was stored last: the one the whole audio waited for. */
const lastChunk = (times: TurnTimes) => times.chunks.reduce((a, b) => (b.stored > a.stored ? b : a));
const wholeOf = ({ turn }: Sample) => turn.mediaReady - turn.lastText;

const WHOLE_STEPS: [string, (s: Sample) => number][] = [
  ["last response_chunk -> the last chunk completed (its TTS included)", ({ turn, times }) => lastStored(times) - turn.lastText],
  ["last chunk completed -> the join claimed (queued -> finalizing)", ({ times }) => times.joinClaimed - lastStored(times)],
  ["join claimed -> completed (chunks read from R2, joined, put, probed, moved)", ({ times }) => times.joinCompleted - times.joinClaimed],
  ["join completed -> the client has the media frame", ({ turn, times }) => turn.mediaReady - times.joinCompleted],
  ["last audio_chunk -> media frame (client)", ({ turn }) => turn.mediaReady - turn.audio.at(-1)!.at],
];

const ttsOf = ({ times }: Sample) => times.chunks[0]!.completed - times.chunks[0]!.created;
const firstAudioOf = ({ turn }: Sample) => turn.audio[0]!.at - turn.firstText;

/** ms the GPU emulator's code takes to make each text's WAV (after its completed_at), timed here after a warm-up: a floor, the machine being quieter. */
function wavMaking(texts: string[]): number[] {
  for (const text of texts.slice(0, 5)) synthesizeSpeech(text);
  return texts.map((text) => {
    const started = performance.now();
    synthesizeSpeech(text);
    return performance.now() - started;
  });
}

function breakdown(
  samples: Sample[],
  receipts: number[],
  llmClock: { offset: number; uncertainty: number },
  cpu: { voiced: Record<string, number>; text: Record<string, number> },
): string {
  const line = ([what, of]: [string, (s: Sample) => number]) => {
    const xs = samples.map(of).filter((x) => !Number.isNaN(x));
    return xs.length ? `| ${what} | ${ms(median(xs))} | ${ms(percentile(xs, 90))} |` : `| ${what} | n/a | n/a |`;
  };
  const synth = wavMaking(samples.map(({ turn }) => turn.audio[0]!.text));
  // Webhooks (every chunk's start, logs and completed) that reached the Worker between chunk 0's run ending and its WAV being stored.
  const during = samples.map(({ times }) => receipts.filter((at) => at > times.chunks[0]!.completed && at <= times.chunks[0]!.stored).length);
  // Processes that used under a ms a turn (npm, sh, esbuild's watcher) are left out.
  const perTurn = Object.entries(cpu.voiced)
    .filter(([, total]) => total / samples.length >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([role, total]) => `${role} ${ms(total / samples.length)} (text-only ${ms((cpu.text[role] ?? 0) / samples.length)})`)
    .join(", ");
  return [
    "## Voice while the text streams: where the time goes",
    "",
    `Chunk 0 of each of the ${samples.length} voiced turns above, from what each process wrote down (docs/benchmarks.md, "Voice rows"): the client's frames,`,
    "the LLM emulator's first token, the Worker's D1 rows (chunk row `created_at`, `media_transitions.at`, `media_webhooks.received_at`) and the GPU",
    `emulator's prediction times (its webhook outbox). Wall-clock times are whole ms; the LLM emulator's clock is ${ms(llmClock.offset)} from ours (+-${ms(llmClock.uncertainty)}).`,
    `Each step's p50 and p90 over the turns: medians of steps do not add up to the median of a sum. Bold: our overhead (the first row's figure minus the emulator's TTS).`,
    "",
    "| chunk 0: from -> to | p50 | p90 |",
    "| --- | ---: | ---: |",
    ...STEPS.map(line),
    line(["first response_chunk -> audio_chunk 0 (client), all of the above", firstAudioOf]),
    line(["our overhead: that minus the GPU emulator's create -> run ended", (s) => firstAudioOf(s) - ttsOf(s)]),
    `| of which the emulator making chunk 0's WAV after its run ended (its synthesizeSpeech on the same text, timed in the bench's process after the turns) | ${ms(median(synth))} | ${ms(percentile(synth, 90))} |`,
    `| webhooks of the reply's chunks (start, logs, completed) the Worker received between chunk 0's run ending and its job completing | ${median(during)} | ${percentile(during, 90)} |`,
    "",
    `CPU per voiced turn (until the stack is quiet again; a text-only turn's beside it), by process: ${perTurn}. The machine has ${cores} cores, shared with the bench and whatever else runs.`,
    "",
    "| the whole reply's audio: from -> to | p50 | p90 |",
    "| --- | ---: | ---: |",
    ...WHOLE_STEPS.map(line),
  ].join("\n");
}

/** The voice rows, and the breakdown section of bench/RESULTS.md; starts and stops a stack of their own. */
export async function voiceRows(): Promise<{ rows: Row[]; section: string }> {
  const stack = await startStack({ ...STACK_ENV, GPU_EMULATOR_STEP_MS: String(STEP_MS) });
  const untrack = stopOnExit(() => stack.stop());
  try {
    const admin = { baseUrl: stack.baseUrl, key: stack.adminKey };
    await call(admin, "POST", "/api/v1/characters", voiceOnlyCharacter(SPEAKER));
    await call(admin, "POST", "/api/v1/characters", textCharacter(TEXT));
    const client = { baseUrl: stack.baseUrl, key: await createChatKey(stack.baseUrl, stack.adminKey) };
    const pids = processesOf(stack.pgid).map((p) => p.pid);
    const started = performance.now();
    const result = await voiceTurns(client, { characters: { voice: SPEAKER, text: TEXT }, turns: TURNS, pids, cpuByRole: () => cpuByRole(stack.pgid) });
    const seconds = (performance.now() - started) / 1000;
    const records = await stackRecords(
      { gpu: gpuOrigin(stack.output()), llm: emulatorOrigin(stack.output()) },
      stack.persistDir,
      result.sessionId,
      new Map(result.voiced.map((t) => [t.messageId, t.marker])),
      result.stuck,
    );
    const samples = result.voiced.map((turn) => ({ turn, times: records.turns.get(turn.messageId)! }));
    return {
      rows: rowsOf(samples, result.textFirstChunk, seconds, records.stuck),
      section: breakdown(samples, records.receipts, records.llmClock, { voiced: result.voicedCpu, text: result.textCpu }),
    };
  } finally {
    untrack();
    await stack.stop();
  }
}

function rowsOf(samples: Sample[], textFirstChunk: number[], seconds: number, stuck: string[]): Row[] {
  const tts = samples.map(ttsOf);
  const overhead = samples.map((s) => firstAudioOf(s) - ttsOf(s));
  const voicedFirstChunk = samples.map(({ turn }) => turn.firstText - turn.sent);
  const chunkCounts: Record<number, number> = {};
  for (const { turn } of samples) chunkCounts[turn.audio.length] = (chunkCounts[turn.audio.length] ?? 0) + 1;
  const chunks = Object.entries(chunkCounts)
    .map(([n, turns]) => `${turns} with ${n}`)
    .join(", ");
  const lastAudioToMedia = samples.map(({ turn }) => turn.mediaReady - turn.audio.at(-1)!.at);
  const wholeOverhead = samples.map((s) => wholeOf(s) - (lastChunk(s.times).completed - lastChunk(s.times).created));
  const lost = stuck.length ? `; ${stuck.length} more turns whose audio never ended, left out (${stuck.join(" / ")})` : "";
  const setting = `${samples.length} turns over one socket (${seconds.toFixed(0)} s with the text-only turns), a voice-only character, a 298-character message of four sentences; GPU emulator step ${STEP_MS} ms${lost}`;
  const extra = median(voicedFirstChunk) - median(textFirstChunk);
  return [
    {
      what: "voice: first response_chunk to first audio_chunk, one WebSocket",
      measured: spread(samples.map(firstAudioOf)),
      baseline: `GPU emulator TTS of chunk 0 p50 ${ms(median(tts))}`,
      compared: `overhead p50 ${ms(median(overhead))}`,
      target: "",
      result: "",
      notes: `${setting}; both on the client's clock`,
    },
    {
      what: "voice: our overhead to the first audio_chunk (the above minus the emulator's TTS of chunk 0)",
      measured: spread(overhead),
      baseline: "",
      compared: "",
      target: `p50 < ${OVERHEAD_BUDGET_MS} ms`,
      result: median(overhead) < OVERHEAD_BUDGET_MS ? "met" : "MISSED",
      notes:
        "per turn: (audio_chunk 0 - first response_chunk, client clock) - (completed_at - created_at of chunk 0's prediction, emulator clock); where it goes: below",
    },
    infoRow(
      "voice: GPU emulator TTS of chunk 0 (its completed_at - created_at)",
      spread(tts),
      `6 steps of ${STEP_MS} ms; the WAV is made after completed_at, so its making counts as ours`,
    ),
    {
      what: "voice: send to first response_chunk, voice-only vs text-only character",
      measured: `p50 ${ms(median(voicedFirstChunk))}, p90 ${ms(percentile(voicedFirstChunk, 90))}`,
      baseline: `text-only p50 ${ms(median(textFirstChunk))}`,
      compared: `${extra >= 0 ? "+" : ""}${ms(extra)}`,
      target: "",
      result: "",
      notes: "the same stack and message, a text-only turn on a second socket after each voiced turn",
    },
    infoRow(
      "voice: last response_chunk to the whole reply's audio (media frame, audio_status ready)",
      spread(samples.map(wholeOf)),
      `chunks per reply: ${chunks}; minus the GPU emulator's TTS of the chunk that ended last p50 ${ms(median(wholeOverhead))}; last audio_chunk to media frame p50 ${ms(median(lastAudioToMedia))}`,
    ),
  ];
}
