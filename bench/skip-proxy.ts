/**
 * The address of a `wrangler dev` stack's Worker workerd itself, so a request can skip the dev proxy and the
 * profile can tell the proxy's milliseconds from the Worker's. wrangler does not print it (Miniflare learns
 * it over a control pipe), so it is found from /proc: the Worker workerd's listening sockets, the one that
 * answers `path` as the public port does.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { byRole, processesOf } from "./processes.ts";

function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith("socket:[")) inodes.add(target.slice(8, -1));
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // st 0A is LISTEN; the local address is hex ip:port.
    if (fields[3] === "0A" && inodes.has(fields[9]!)) ports.push(Number.parseInt(fields[1]!.split(":")[1]!, 16));
  }
  return ports;
}

export async function workerdUrl(pgid: number, publicUrl: string, path: string, init?: RequestInit): Promise<string> {
  const worker = byRole(processesOf(pgid), "Worker workerd");
  if (!worker) throw new Error("no Worker workerd in the stack");
  const expected = await (await fetch(`${publicUrl}${path}`, init)).text();
  for (const port of listeningPorts(worker.pid)) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { ...init, signal: AbortSignal.timeout(2000) });
      if (res.ok && (await res.text()) === expected) return `http://127.0.0.1:${port}`;
    } catch {
      // the inspector or the debug port
    }
  }
  throw new Error(`no listening socket of the Worker workerd (${worker.pid}) answers ${path} like ${publicUrl}`);
}
