/** Latency with one request in flight: GET routes, then the first response_chunk of a streamed turn, each against the bare Worker. */
import { TEXT_CHARACTER } from "../fixtures.ts";
import { firstChunkMs, inTurns, timeRequest } from "../one-at-a-time.ts";
import { infoRow, latencyRow, type Row } from "../report.ts";
import { median } from "../support.ts";
import type { BenchContext } from "./context.ts";

const SAMPLES = 200;
const SSE_SAMPLES = 100;
const SSE_SESSIONS = 10;

export async function getRows({ bare, api, headers, historyPage }: BenchContext): Promise<Row[]> {
  const seq = await inTurns(
    {
      bare: () => timeRequest(bare.baseUrl),
      characters: () => timeRequest(api("/api/v1/characters"), { headers }),
      h100: () => timeRequest(historyPage(100), { headers }),
      h10k: () => timeRequest(historyPage(10_000), { headers }),
      h100k: () => timeRequest(historyPage(100_000), { headers }),
    },
    SAMPLES,
  );
  const bareGet = { label: "bare GET", samples: seq.bare };
  const flat = median(seq.h100k) / median(seq.h100);
  return [
    infoRow("bare Worker GET, one at a time", `p50 ${median(seq.bare).toFixed(1)} ms`, `${seq.bare.length} samples; the baseline of the rows below`),
    latencyRow("GET /api/v1/characters, one at a time", seq.characters, bareGet, 3),
    latencyRow("GET history page (limit=50) at 100 messages, one at a time", seq.h100, bareGet, 3),
    latencyRow("GET history page at 10,000 messages, one at a time", seq.h10k, bareGet, 3),
    latencyRow("GET history page at 100,000 messages, one at a time", seq.h100k, bareGet, 3),
    {
      what: "history page at 100,000 vs at 100 messages (flat)",
      measured: `p50 ${median(seq.h100k).toFixed(1)} ms`,
      baseline: `at 100: p50 ${median(seq.h100).toFixed(1)} ms`,
      compared: `${flat.toFixed(2)}x`,
      target: "<= 1.2x",
      result: flat <= 1.2 ? "met" : "MISSED",
      notes: "",
    },
  ];
}

/** The project's turns rotate over a few sessions, each warmed up first; the bare Worker answers one SSE event. */
export async function sseRow({ bare, api, headers }: BenchContext): Promise<Row> {
  const turn = (i: number) => ({
    method: "POST",
    headers,
    body: JSON.stringify({ message: `sse ${i}`, character_id: TEXT_CHARACTER, session_id: `bench-sse-${i % SSE_SESSIONS}`, stream: true }),
  });
  for (let i = 0; i < SSE_SESSIONS; i++) await firstChunkMs(api("/api/v1/chat/message"), turn(i));
  let sent = 0;
  const firstChunks = await inTurns(
    { bare: () => firstChunkMs(bare.sseUrl), project: () => firstChunkMs(api("/api/v1/chat/message"), turn(sent++)) },
    SSE_SAMPLES,
  );
  const baseline = { label: "bare SSE first event", samples: firstChunks.bare };
  return latencyRow("first response_chunk over SSE (stream: true), one at a time", firstChunks.project, baseline, 5);
}
