/**
 * Realtime benchmark (issue 3), against `npm start` with an instant emulated LLM, on loopback:
 * time from sending a message to its first response_chunk (p50/p99), messages per second through
 * one session, and idle hibernated sockets held by one workerd process (and their memory).
 */
import { startStack } from "../tools/stack.ts";
import { median, openSocket, percentile, workerdRssKiB } from "./support.ts";

const TURNS = Number(process.env.BENCH_TURNS ?? 200);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 2000);
const IDLE_SESSIONS = 100;

const stack = await startStack({ LLM_EMULATOR_TOKEN_DELAY_MS: "0", RATE_LIMIT_PER_MINUTE: "0" });
const ws = stack.baseUrl.replace(/^http/, "ws") + "/api/v1/ws/chat";
const rows: [string, string][] = [];

try {
  for (const [label, url] of [["direct (?session_id=)", `${ws}?session_id=bench-direct`], ["lobby (auth frame only)", ws]] as const) {
    const socket = await openSocket(url);
    socket.send({ type: "auth", token: stack.adminKey, session_id: label.startsWith("direct") ? "bench-direct" : "bench-lobby" });
    await socket.wait((f) => f.type === "authenticated");
    const latencies: number[] = [];
    for (let i = 0; i < TURNS; i++) {
      const started = performance.now();
      const first = socket.wait((f) => f.type === "response_chunk" && f.seq === 0);
      const done = socket.wait((f) => f.type === "response");
      socket.send({ type: "message", content: `latency ${i}` });
      await first;
      latencies.push(performance.now() - started);
      await done;
    }
    rows.push([`first response_chunk, ${label}: p50 / p99 (ms)`, `${median(latencies).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} over ${TURNS} turns`]);
    socket.ws.close();
  }

  const pipe = await openSocket(`${ws}?session_id=bench-throughput`);
  pipe.send({ type: "auth", token: stack.adminKey, session_id: "bench-throughput" });
  await pipe.wait((f) => f.type === "authenticated");
  let replies = 0;
  const all = new Promise<void>((resolve) => pipe.ws.addEventListener("message", (e) => String(e.data).includes('"type":"response"') && ++replies === TURNS && resolve()));
  const started = performance.now();
  for (let i = 0; i < TURNS; i++) pipe.send({ type: "message", content: `throughput ${i}` });
  await all;
  const seconds = (performance.now() - started) / 1000;
  rows.push(["messages per second through one session (sent back to back)", `${(TURNS / seconds).toFixed(1)} (${TURNS} turns in ${seconds.toFixed(2)} s)`]);
  pipe.ws.close();

  const before = workerdRssKiB(stack.pgid);
  const idle: Awaited<ReturnType<typeof openSocket>>[] = [];
  for (let i = 0; i < IDLE_SOCKETS; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, IDLE_SOCKETS - i) }, async (_, j) => {
        const session = `bench-idle-${(i + j) % IDLE_SESSIONS}`;
        const s = await openSocket(`${ws}?session_id=${session}`);
        s.send({ type: "auth", token: stack.adminKey, session_id: session });
        await s.wait((f) => f.type === "authenticated");
        return s;
      }),
    );
    idle.push(...batch);
  }
  // Idle long enough for the runtime to hibernate the objects, then check every socket is still there.
  await new Promise((r) => setTimeout(r, 15_000));
  const after = workerdRssKiB(stack.pgid);
  const open = idle.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
  const probe = idle[Math.floor(idle.length / 2)]!;
  const reply = probe.wait((f) => f.type === "response");
  probe.send({ type: "message", content: "wake up" });
  await reply;
  rows.push([
    "idle authenticated sockets held (direct route, 100 sessions)",
    `${open} of ${IDLE_SOCKETS} open after 15 s idle; workerd RSS ${(before / 1024).toFixed(0)} -> ${(after / 1024).toFixed(0)} MiB (${(((after - before) * 1024) / IDLE_SOCKETS / 1024).toFixed(1)} KiB per socket); a message on one still answered`,
  ]);
  for (const s of idle) s.ws.close();
} finally {
  await stack.stop();
}

console.log("\n| realtime (instant emulated LLM, loopback) | result |\n| --- | --- |");
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
