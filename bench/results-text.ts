/** The prose around bench/RESULTS.md's table: what ran where, and the idle sockets' memory by process. */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import type { IdleSocketsResult } from "./idle-sockets.ts";

const loadAverage = () => os.loadavg()[0]!.toFixed(2);

/** workerd processes of other stacks (another checkout's tests, say): they share the two cores with this run. */
function otherWorkerdCount(): number {
  return readdirSync("/proc").filter((entry) => {
    try {
      return /^\d+$/.test(entry) && readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "workerd";
    } catch {
      return false;
    }
  }).length;
}

export const runStart = () => ({ at: new Date(), load: loadAverage(), otherWorkerd: otherWorkerdCount() });

export function runHeader(start: ReturnType<typeof runStart>, seconds: number): string {
  const cpus = os.cpus();
  const workerd = execFileSync("npx", ["workerd", "--version"], { encoding: "utf8" }).trim();
  const machine = `${cpus.length} x ${cpus[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, ${workerd}`;
  const minutes = (Date.now() - start.at.getTime()) / 60_000;
  return [
    `Latest \`npm run bench\`, ${start.at.toISOString()} (${minutes.toFixed(1)} min), on ${machine}.`,
    `1-minute load average ${start.load} at the start, ${loadAverage()} at the end; workerd processes of other stacks running at the start: ${start.otherWorkerd}.`,
    "Loopback. Two `wrangler dev` stacks side by side: the project's (`npm start`: instant emulated LLM, rate limiting off, an ordinary `chat` API key)",
    "and a bare Worker (bench/bare/: same compatibility date and flags, no bindings). Each request crosses the dev proxy workerd, then the Worker's workerd.",
    "One-at-a-time rows: the probes take turns, one request in flight, after a warm-up round; p50 of the samples.",
    `Load rows: autocannon, ${seconds} s windows. docs/benchmarks.md says what each row measures.`,
  ].join("\n");
}

const mib = (kib: number) => (kib / 1024).toFixed(0);

export function idleSocketsSection(idle: IdleSocketsResult): string {
  const direct = idle.held - idle.viaProxy;
  const route =
    direct > 0 ? `${idle.viaProxy} through the dev proxy, then ${direct} straight to the Worker's workerd (${idle.proxyFull})` : "all through the dev proxy";
  const lines = [
    "## Idle WebSockets by process",
    "",
    `${idle.held} authenticated sockets on 100 sessions, each straight to its session's Durable Object (hibernation API): ${route}; idle ${idle.idleSeconds} s.`,
    "RSS and open files of the processes of the project's stack, before the first socket and after the idle time; per socket is per socket the process carries.",
    "",
    "| process | pid | sockets carried | RSS before -> after (MiB) | KiB per socket | open files before -> after | per socket | fd limit |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  // The dev proxy carries only the sockets that went through it; the Worker's workerd carries all.
  const carried: Record<string, number> = { "dev proxy workerd": idle.viaProxy, "Worker workerd": idle.held, "wrangler (node)": idle.held };
  let perSocketTotal = 0;
  let others = 0;
  for (const after of idle.after) {
    const before = idle.before.find((b) => b.pid === after.pid);
    if (!before) continue;
    const grew = after.rssKiB - before.rssKiB;
    const sockets = carried[after.role];
    if (sockets === undefined) {
      others += grew;
      continue;
    }
    const per = (n: number) => (sockets ? n / sockets : 0);
    perSocketTotal += per(grew);
    lines.push(
      `| ${after.role} | ${after.pid} | ${sockets} | ${mib(before.rssKiB)} -> ${mib(after.rssKiB)} | ${per(grew).toFixed(1)} | ${before.fds} -> ${after.fds} | ${per(after.fds - before.fds).toFixed(1)} | ${after.fdLimit} |`,
    );
  }
  lines.push(`| a socket through the dev proxy, all three | | | | ${perSocketTotal.toFixed(1)} | | | |`);
  const needs = idle.after
    .filter((p) => p.role === "dev proxy workerd" || p.role === "Worker workerd")
    .map((after) => {
      const before = idle.before.find((b) => b.pid === after.pid)!;
      const perSocket = (after.fds - before.fds) / (carried[after.role] || 1);
      return `${after.role} ~${Math.ceil(before.fds + perSocket * idle.target).toLocaleString("en")}`;
    });
  lines.push(
    "",
    `${idle.target.toLocaleString("en")} sockets all through the dev proxy need open-file limits of about: ${needs.join(", ")}.`,
    "Node raises its soft limit to the hard one at start, and the stacks inherit it: the hard limit (`ulimit -Hn`) is what counts.",
  );
  lines.push(
    "",
    `The stack's other processes (npm, the LLM and GPU emulators, esbuild) carry no socket; their RSS changed by ${mib(others)} MiB in all meanwhile.`,
  );
  return lines.join("\n");
}
