/** WebSocket turns against a running stack (instant emulated LLM): time from a `message` frame to its first response_chunk. */
import type { Client } from "./client.ts";
import { TEXT_CHARACTER } from "./fixtures.ts";
import { median, openSocket, percentile, type BenchSocket } from "./support.ts";

const wsUrl = (client: Client) => `${client.baseUrl.replace(/^http/, "ws")}/api/v1/ws/chat`;

/** An authenticated socket: `direct` names the session in the URL (straight to its Durable Object), else the lobby relays. */
export async function authed(client: Client, sessionId: string, direct = true): Promise<BenchSocket> {
  const socket = await openSocket(direct ? `${wsUrl(client)}?session_id=${sessionId}` : wsUrl(client));
  const authenticated = socket.wait((f) => f.type === "authenticated");
  socket.send({ type: "auth", token: client.key, session_id: sessionId });
  await authenticated;
  return socket;
}

/** One turn at a time on one socket: send -> first chunk latency. */
export async function firstChunkLatency(client: Client, turns: number, direct: boolean) {
  const socket = await authed(client, direct ? "bench-ttfc-direct" : "bench-ttfc-lobby", direct);
  const latencies: number[] = [];
  for (let i = 0; i < turns; i++) {
    const started = performance.now();
    const first = socket.wait((f) => f.type === "response_chunk" && f.seq === 0);
    const done = socket.wait((f) => f.type === "response");
    socket.send({ type: "message", character_id: TEXT_CHARACTER, content: `latency ${i}` });
    await first;
    latencies.push(performance.now() - started);
    await done;
  }
  socket.ws.close();
  return { p50: median(latencies), p99: percentile(latencies, 99) };
}
