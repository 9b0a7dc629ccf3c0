/**
 * WebSocket measurements against a running stack (instant emulated LLM): time to the first
 * response_chunk, messages per second through one session, concurrent sockets on many sessions,
 * and idle sockets held by the workerd process.
 */
import type { Stack } from "../tools/stack.ts";
import { median, openSocket, percentile, workerdRssKiB, type BenchSocket } from "./support.ts";

const wsUrl = (stack: Stack) => `${stack.baseUrl.replace(/^http/, "ws")}/api/v1/ws/chat`;

async function authed(stack: Stack, sessionId: string, direct = true): Promise<BenchSocket> {
  const socket = await openSocket(direct ? `${wsUrl(stack)}?session_id=${sessionId}` : wsUrl(stack));
  socket.send({ type: "auth", token: stack.adminKey, session_id: sessionId });
  await socket.wait((f) => f.type === "authenticated");
  return socket;
}

/** One turn at a time on one socket: send -> first chunk latency. */
export async function firstChunkLatency(stack: Stack, turns: number, direct: boolean) {
  const socket = await authed(stack, direct ? "bench-ttfc-direct" : "bench-ttfc-lobby", direct);
  const latencies: number[] = [];
  for (let i = 0; i < turns; i++) {
    const started = performance.now();
    const first = socket.wait((f) => f.type === "response_chunk" && f.seq === 0);
    const done = socket.wait((f) => f.type === "response");
    socket.send({ type: "message", character_id: "plain", content: `latency ${i}` });
    await first;
    latencies.push(performance.now() - started);
    await done;
  }
  socket.ws.close();
  return { p50: median(latencies), p99: percentile(latencies, 99) };
}

/** Messages sent back to back on one socket: the session's serial turn rate. */
export async function sessionThroughput(stack: Stack, turns: number) {
  const socket = await authed(stack, "bench-throughput");
  let replies = 0;
  const all = new Promise<void>((resolve) =>
    socket.ws.addEventListener("message", (e) => String(e.data).includes('"type":"response"') && ++replies === turns && resolve()),
  );
  const started = performance.now();
  for (let i = 0; i < turns; i++) socket.send({ type: "message", character_id: "plain", content: `throughput ${i}` });
  await all;
  socket.ws.close();
  return turns / ((performance.now() - started) / 1000);
}

/** `sockets` sockets on as many sessions, each sending `turnsEach` turns one after another. */
export async function concurrentSockets(stack: Stack, sockets: number, turnsEach: number) {
  const clients = await Promise.all(Array.from({ length: sockets }, (_, i) => authed(stack, `bench-many-${i}`)));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (socket, c) => {
      for (let t = 0; t < turnsEach; t++) {
        const sent = performance.now();
        const first = socket.wait((f) => f.type === "response_chunk" && f.seq === 0);
        const done = socket.wait((f) => f.type === "response");
        socket.send({ type: "message", character_id: "plain", content: `client ${c} turn ${t}` });
        await first;
        latencies.push(performance.now() - sent);
        await done;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const socket of clients) socket.ws.close();
  return { turnsPerSecond: (sockets * turnsEach) / seconds, p99: percentile(latencies, 99), p50: median(latencies) };
}

/** Opens `count` authenticated sockets over `sessions` sessions, idles, and checks they all survive. */
export async function idleSockets(stack: Stack, count: number, sessions: number) {
  const before = workerdRssKiB(stack.pgid);
  const idle: BenchSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    idle.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => authed(stack, `bench-idle-${(i + j) % sessions}`)))));
  }
  await new Promise((r) => setTimeout(r, 15_000));
  const after = workerdRssKiB(stack.pgid);
  const open = idle.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
  const probe = idle[Math.floor(idle.length / 2)]!;
  const reply = probe.wait((f) => f.type === "response");
  probe.send({ type: "message", character_id: "plain", content: "wake up" });
  await reply;
  for (const s of idle) s.ws.close();
  return { open, rssBeforeMiB: before / 1024, rssAfterMiB: after / 1024, kibPerSocket: (after - before) / count };
}
