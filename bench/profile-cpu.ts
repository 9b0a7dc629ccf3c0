/**
 * Where the time goes under load: runs autocannon against a route of `npm start` and reports the CPU
 * each process of the stack used (utime + stime from /proc), per request, then a sampling CPU profile
 * of the Worker itself through its DevTools inspector (self time by function). Usage:
 *   node bench/profile-cpu.ts /ping /api/v1/characters
 */
import { readFileSync, readdirSync } from "node:fs";
import { startStack } from "../tools/stack.ts";
import { load } from "./http-load.ts";

const TICKS_PER_SECOND = 100;

function cpuByProcess(pgid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      const name = cmdline[0]?.endsWith("workerd")
        ? "workerd"
        : `node ${
            cmdline
              .find((a) => /wrangler|dev\.ts|npm/.test(a))
              ?.split("/")
              .slice(-2)
              .join("/") ??
            cmdline[1] ??
            ""
          }`;
      ticks.set(`${name} (${entry})`, Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone
    }
  }
  return ticks;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Samples the Worker's isolate while `during` runs; answers self time per function, largest first. */
async function profileWorker(inspectorPort: number, during: () => Promise<unknown>) {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  // The inspector proxy of `wrangler dev` accepts DevTools origins only.
  const ws = new (WebSocket as any)(targets[0]!.webSocketDebuggerUrl, { headers: { Origin: "https://devtools.devprod.cloudflare.dev" } }) as WebSocket;
  await new Promise((resolve) => ws.addEventListener("open", resolve));
  let id = 0;
  const pending = new Map<number, (result: any) => void>();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data));
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params = {}) =>
    new Promise<any>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  await during();
  const { profile } = (await send("Profiler.stop")) as { profile: { nodes: ProfileNode[] } };
  ws.close();
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const file = node.callFrame.url.split("/").slice(-2).join("/");
    const name = `${node.callFrame.functionName || "(anonymous)"} ${file ? `${file}:${node.callFrame.lineNumber + 1}` : ""}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, hits]) => ({ name, share: hits / total }));
}

const stack = await startStack({ RATE_LIMIT_PER_MINUTE: "0", LLM_EMULATOR_TOKEN_DELAY_MS: "0" });
try {
  const headers = { Authorization: `Bearer ${stack.adminKey}` };
  for (const path of process.argv.slice(2)) {
    const before = cpuByProcess(stack.pgid);
    const result = await load({ url: `${stack.baseUrl}${path}`, headers, seconds: 8 });
    const after = cpuByProcess(stack.pgid);
    const requests = result.rps * 8;
    console.log(`\n${path}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms`);
    for (const [name, t] of after) {
      const used = (t - (before.get(name) ?? t)) / TICKS_PER_SECOND;
      if (used > 0.05) console.log(`  ${name.slice(0, 60).padEnd(60)} ${used.toFixed(2)} s CPU, ${((used / requests) * 1000).toFixed(2)} ms per request`);
    }
    const top = await profileWorker(stack.inspectorPort, () => load({ url: `${stack.baseUrl}${path}`, headers, seconds: 5 }));
    console.log(`  Worker isolate, self time (sampled):`);
    for (const { name, share } of top) console.log(`    ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
} finally {
  await stack.stop();
}
