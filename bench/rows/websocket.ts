/** WebSocket rows: first response_chunk on one socket, and idle sockets held (bench/idle-sockets.ts). */
import { idleSockets, type IdleSocketsResult } from "../idle-sockets.ts";
import { firstChunkLatency } from "../realtime.ts";
import { infoRow, type Row } from "../report.ts";
import { workerdUrl } from "../skip-proxy.ts";
import type { BenchContext } from "./context.ts";

const TURNS = 200;

export async function firstChunkRows({ client }: BenchContext): Promise<Row[]> {
  const direct = await firstChunkLatency(client, TURNS, true);
  const lobby = await firstChunkLatency(client, TURNS, false);
  const figures = (r: { p50: number; p99: number }) => `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
  return [
    infoRow("WS first response_chunk, one socket, direct to the session", figures(direct), `${TURNS} turns`),
    infoRow("WS first response_chunk, one socket, through the lobby", figures(lobby), `${TURNS} turns`),
  ];
}

export async function idleSocketsRow({ client, stack, headers }: BenchContext, target: number): Promise<{ row: Row; idle: IdleSocketsResult }> {
  const direct = { ...client, baseUrl: await workerdUrl(stack.pgid, client.baseUrl, "/api/v1/characters", { headers }) };
  const idle = await idleSockets({ proxied: client, direct }, stack.pgid, { target });
  const route = `${idle.viaProxy} through the dev proxy${idle.proxyFull ? ` (then full: ${idle.proxyFull})` : ""}, ${idle.held - idle.viaProxy} straight to the Worker's workerd`;
  const notes = [
    route,
    ...(idle.stoppedBecause ? [`stopped: ${idle.stoppedBecause}`] : []),
    `opened in ${idle.openSeconds.toFixed(0)} s, idle ${idle.idleSeconds} s, then one woke its session for a turn in ${idle.wakeMs.toFixed(0)} ms; memory by process below`,
  ];
  return { row: infoRow("WS idle authenticated sockets held (hibernation API)", `${idle.held} of ${idle.target}`, notes.join("; ")), idle };
}
