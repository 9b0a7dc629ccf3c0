import { readFileSync, readdirSync } from "node:fs";

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export const median = (values: number[]) => percentile(values, 50);

/** Resident memory (KiB) of the workerd processes in a process group, read from /proc. */
export function workerdRssKiB(pgid: number): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(fields[2]) !== pgid || !comm.startsWith("workerd")) continue;
      const rss = readFileSync(`/proc/${entry}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
      total += Number(rss?.[1] ?? 0);
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

export interface BenchSocket {
  ws: WebSocket;
  send(frame: unknown): void;
  /** Resolves on the next frame that matches. */
  wait(match: (frame: any) => boolean): Promise<any>;
}

export function openSocket(url: string): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const waiters: { match: (f: any) => boolean; resolve: (f: any) => void }[] = [];
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data));
      const i = waiters.findIndex((w) => w.match(frame));
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(frame);
    });
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)));
    ws.addEventListener("open", () =>
      resolve({
        ws,
        send: (frame) => ws.send(JSON.stringify(frame)),
        wait: (match) => new Promise((res) => waiters.push({ match, resolve: res })),
      }),
    );
  });
}
