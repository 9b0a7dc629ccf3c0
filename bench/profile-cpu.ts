/**
 * `npm run bench:profile`: where the time goes, on the project's stack next to the bare Worker.
 * 1. The first-token path of a streamed turn, leg by leg (bench/first-token.ts), through the dev proxy and
 *    straight to the Worker's workerd, beside the bare Worker's round trips; the CPU each process spent per turn.
 * 2. For the bare Worker and each path given: autocannon load, the CPU each process used per request
 *    (utime + stime from /proc), then a sampled CPU profile of the Worker's isolate (self time by function).
 * Usage: node bench/profile-cpu.ts /api/v1/characters [more paths]. PROFILE_TURNS (100) streamed turns.
 */
import { stopAll } from "./cleanup.ts";
import { authHeaders } from "./client.ts";
import { emulatorOrigin, firstTokenTimeline, type Timeline } from "./first-token.ts";
import { load, type LoadOptions } from "./http-load.ts";
import { profileWorker } from "./isolate-profile.ts";
import { firstChunkMs, timeRequest } from "./one-at-a-time.ts";
import { processesOf, TICKS_PER_SECOND } from "./processes.ts";
import { startBenchStacks } from "./setup.ts";
import { workerdUrl } from "./skip-proxy.ts";
import { median, percentile } from "./support.ts";

const TURNS = Number(process.env.PROFILE_TURNS ?? 100);
const SECONDS = 8;

/** Runs `work` (which answers how many units it did); answers a line per process: the CPU it used, per unit. */
async function cpuPer(pgid: number, unit: string, work: () => Promise<number>): Promise<string[]> {
  const before = new Map(processesOf(pgid).map((p) => [p.pid, p.cpuTicks]));
  const units = await work();
  const lines: string[] = [];
  for (const p of processesOf(pgid)) {
    const seconds = (p.cpuTicks - (before.get(p.pid) ?? p.cpuTicks)) / TICKS_PER_SECOND;
    if (seconds > 0.05)
      lines.push(`  ${`${p.role} (${p.pid})`.padEnd(50)} ${seconds.toFixed(2)} s CPU, ${((seconds / units) * 1000).toFixed(2)} ms per ${unit}`);
  }
  return lines;
}

const printProfile = (top: { name: string; share: number }[]) => {
  console.log("  Worker isolate, self time (sampled):");
  for (const { name, share } of top) console.log(`    ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
};

const p50p90 = (values: number[]) => `${median(values).toFixed(2).padStart(7)} ${percentile(values, 90).toFixed(2).padStart(7)}`;

try {
  const { bare, stack, client } = await startBenchStacks();
  const headers = authHeaders(client.key);
  const emulator = emulatorOrigin(stack.output());
  // The same requests without the dev proxy: what is left is the Worker's workerd and the project.
  const bareDirect = await workerdUrl(bare.pgid, bare.baseUrl, "/");
  const projectDirect = await workerdUrl(stack.pgid, client.baseUrl, "/api/v1/characters", { headers });

  console.log(`\nFirst token over SSE: ${TURNS} turns one at a time, text-only character (ms)`);
  const baselines = {
    "bare Worker GET, round trip": () => timeRequest(bare.baseUrl),
    "bare Worker SSE, send -> first event": () => firstChunkMs(bare.sseUrl),
    "bare Worker GET straight to its workerd (no dev proxy)": () => timeRequest(bareDirect),
  };
  let proxied: Timeline | undefined;
  const turnCpu = await cpuPer(stack.pgid, "turn", async () => {
    proxied = await firstTokenTimeline(client, emulator, TURNS, baselines);
    return TURNS + 1;
  });
  const direct = await firstTokenTimeline({ ...client, baseUrl: projectDirect }, emulator, TURNS, {});
  const t = proxied!;
  const legs: [string, keyof Timeline][] = [
    ["t1-t0 client sends -> LLM emulator receives (Worker, Durable Object, prompt)", "toLlm"],
    ["t2-t1 LLM emulator receives -> writes its first token (the LLM)", "llm"],
    ["t3-t2 first token written -> client has the first response_chunk (the way back)", "back"],
    ["t3-t0 total", "total"],
  ];
  console.log(`  ${"".padEnd(84)} ${"through the dev proxy".padEnd(16)}  straight to the Worker's workerd`);
  console.log(`  ${"".padEnd(84)} ${"p50".padStart(7)} ${"p90".padStart(7)}  ${"p50".padStart(7)} ${"p90".padStart(7)}`);
  for (const [label, leg] of legs) console.log(`  ${label.padEnd(84)} ${p50p90(t[leg] as number[])}  ${p50p90(direct[leg] as number[])}`);
  for (const [label, values] of Object.entries(t.baselines)) console.log(`  ${label.padEnd(84)} ${p50p90(values)}`);
  console.log(`  the emulator's clock minus this process's: ${t.clock.offset.toFixed(3)} ms, +/- ${t.clock.uncertainty.toFixed(3)} ms`);
  console.log("CPU per streamed turn (through the dev proxy), by process of the project's stack; the bare Worker's requests ran in its own:");
  for (const line of turnCpu) console.log(line);
  printProfile(await profileWorker(stack.inspectorPort, () => firstTokenTimeline(client, emulator, 30, {})));

  const runs: { name: string; pgid: number; inspectorPort?: number; options: LoadOptions }[] = [
    { name: "bare Worker GET /", pgid: bare.pgid, options: { url: bare.baseUrl, connections: 10, seconds: SECONDS } },
    ...process.argv.slice(2).map((path) => ({
      name: path,
      pgid: stack.pgid,
      inspectorPort: stack.inspectorPort,
      options: { url: `${client.baseUrl}${path}`, headers, connections: 10, seconds: SECONDS },
    })),
  ];
  for (const { name, pgid, inspectorPort, options } of runs) {
    let summary = "";
    const cpu = await cpuPer(pgid, "request", async () => {
      const result = await load(options);
      summary = `${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms`;
      return result.rps * SECONDS;
    });
    console.log(`\n${name}: ${summary} (10 connections, ${SECONDS} s), CPU by process:`);
    for (const line of cpu) console.log(line);
    if (inspectorPort) printProfile(await profileWorker(inspectorPort, () => load({ ...options, seconds: 5 })));
  }
} finally {
  await stopAll();
}
