/**
 * The processes of one `wrangler dev` process group, read from /proc, each named by its role. `wrangler dev`
 * runs two workerd processes: the dev proxy (wrangler's ProxyWorker, listening on the public port) and the
 * Worker's own (the Worker and its Durable Objects, with the DevTools inspector), plus wrangler's Node process.
 */
import { readFileSync, readdirSync } from "node:fs";

export interface ProcessSample {
  pid: number;
  role: string;
  rssKiB: number;
  /** utime + stime, in clock ticks (100 per second). */
  cpuTicks: number;
  fds: number;
  fdLimit: number;
}

export const TICKS_PER_SECOND = 100;

function role(comm: string, cmdline: string[]): string {
  const args = cmdline.join(" ");
  // Only the Worker's workerd is given an inspector address; the proxy's listens on the public port.
  if (comm === "workerd") return args.includes("--inspector-addr") ? "Worker workerd" : "dev proxy workerd";
  if (comm === "node" && args.includes("wrangler-dist/cli.js")) return "wrangler (node)";
  if (comm === "node" && args.includes("tools/dev.ts")) return "npm start + LLM/GPU emulators (node)";
  return comm;
}

/** The fd limit a process runs with (the soft one: what it can open). */
export function fdLimit(pid: number | "self"): number {
  const line = readFileSync(`/proc/${pid}/limits`, "utf8").match(/Max open files\s+(\d+|unlimited)/);
  return line?.[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(line?.[1] ?? 1024);
}

export function fdCount(pid: number | "self"): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function processesOf(pgid: number): ProcessSample[] {
  const samples: ProcessSample[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      const rss = readFileSync(`/proc/${entry}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
      const pid = Number(entry);
      samples.push({
        pid,
        role: role(comm, cmdline),
        rssKiB: Number(rss?.[1] ?? 0),
        cpuTicks: Number(fields[11]) + Number(fields[12]),
        fds: fdCount(pid),
        fdLimit: fdLimit(pid),
      });
    } catch {
      // the process ended while we looked
    }
  }
  return samples;
}

export const byRole = (samples: ProcessSample[], name: string) => samples.find((s) => s.role === name);

/** Waits until the group is nearly idle (background media jobs, webhooks), so one row's work does not load the next. */
export async function settle(pgid: number, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  const busy = () => processesOf(pgid).reduce((sum, p) => sum + p.cpuTicks, 0);
  let before = busy();
  while (performance.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = busy();
    // Under 10% of one core for a second: timers and the odd cron, no jobs.
    if (now - before <= TICKS_PER_SECOND / 10) break;
    before = now;
  }
  return performance.now() - started;
}

/** CPU time (utime + stime, in ms) the processes of these groups have used so far. */
export function groupsCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Waits until these processes have used no CPU for `stillMs` (a turn's background work has ended), polling
 * their /proc/<pid>/stat only; answers the ms waited. Finer than `settle`, for one turn at a time.
 */
export async function untilQuiet(pids: number[], stillMs = 50, timeoutMs = 5000): Promise<number> {
  const started = performance.now();
  let last = groupsCpuMs(pids);
  let stillSince = started;
  for (;;) {
    await new Promise((r) => setTimeout(r, 10));
    const now = performance.now();
    const cpu = groupsCpuMs(pids);
    if (cpu !== last) {
      last = cpu;
      stillSince = now;
    }
    if (now - stillSince >= stillMs || now - started >= timeoutMs) return now - started;
  }
}
