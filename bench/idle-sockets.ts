/**
 * Idle WebSockets: opens `target` authenticated sockets straight to their sessions' Durable Objects (the
 * hibernation API), in batches, lets them idle, and answers what each process of the stack holds for them.
 * Each socket costs file descriptors in more than one process: in the dev proxy workerd 4 (it holds both
 * the client's connection and its own to the Worker's workerd), in the Worker's workerd 2. When the next
 * batch would take the proxy past its open-file limit, the rest go straight to the Worker's workerd (as
 * they would to a deployed Worker, which has no dev proxy); when any process, this client included,
 * would run out, it stops and says which.
 */
import type { Client } from "./client.ts";
import { TEXT_CHARACTER } from "./fixtures.ts";
import { fdCount, fdLimit, processesOf, type ProcessSample } from "./processes.ts";
import { authed } from "./realtime.ts";
import type { BenchSocket } from "./support.ts";

export interface IdleSocketsResult {
  target: number;
  /** Sockets open after the idle time, and how many of them went through the dev proxy. */
  held: number;
  viaProxy: number;
  /** Why the rest skipped the proxy, if they did. */
  proxyFull?: string;
  /** Why fewer than `target` were opened, if they were. */
  stoppedBecause?: string;
  openSeconds: number;
  idleSeconds: number;
  before: ProcessSample[];
  after: ProcessSample[];
  /** ms for a turn on one idle socket afterwards: the session wakes and answers. */
  wakeMs: number;
}

const BATCH = 100;
// The first batch of a phase is small, its file descriptors per socket not known yet: the margin covers it.
const PROBE_BATCH = 10;
// Room left for that, and for everything else the processes open meanwhile (SQLite files of new sessions, loopback calls).
const FD_MARGIN = 200;

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

interface FdSample {
  pid: number | "self";
  role: string;
  fds: number;
  fdLimit: number;
}

const fdSamples = (pgid: number): FdSample[] => [
  ...processesOf(pgid),
  { pid: "self", role: "the bench client (node)", fds: fdCount("self"), fdLimit: fdLimit("self") },
];

/** The process that would run out of file descriptors if `more` sockets were opened, given what `opened` since `start` took. */
function wouldRunOut(now: FdSample[], start: FdSample[], opened: number, more: number): FdSample | undefined {
  return now.find((p) => {
    const grew = p.fds - (start.find((s) => s.pid === p.pid)?.fds ?? p.fds);
    const perSocket = opened > 0 ? grew / opened : 0;
    return p.fds + perSocket * more > p.fdLimit - FD_MARGIN;
  });
}

const describe = (p: FdSample) => `${p.role} at ${p.fds} of its ${p.fdLimit} open files`;

export async function idleSockets(
  clients: { proxied: Client; direct: Client },
  pgid: number,
  { target = 10_000, sessions = 100, idleSeconds = 20 } = {},
): Promise<IdleSocketsResult> {
  const before = processesOf(pgid);
  const sockets: BenchSocket[] = [];
  const result = { target, viaProxy: 0, proxyFull: undefined as string | undefined, stoppedBecause: undefined as string | undefined };
  const started = performance.now();
  try {
    let client = clients.proxied;
    let phaseStart = fdSamples(pgid);
    let phaseOpened = 0;
    while (sockets.length < target) {
      const size = Math.min(phaseOpened > 0 ? BATCH : PROBE_BATCH, target - sockets.length);
      const short = wouldRunOut(fdSamples(pgid), phaseStart, phaseOpened, size);
      if (short && client === clients.proxied && short.role === "dev proxy workerd") {
        result.proxyFull = describe(short);
        result.viaProxy = sockets.length;
        client = clients.direct;
        phaseStart = fdSamples(pgid);
        phaseOpened = 0;
        continue;
      }
      if (short) {
        result.stoppedBecause = describe(short);
        break;
      }
      const batch = await Promise.allSettled(
        Array.from({ length: size }, (_, i) => withTimeout(authed(client, `bench-idle-${(sockets.length + i) % sessions}`), 30_000)),
      );
      for (const outcome of batch) if (outcome.status === "fulfilled") sockets.push(outcome.value);
      phaseOpened += size;
      const failed = batch.find((o) => o.status === "rejected");
      if (failed) {
        result.stoppedBecause = `a socket failed to open or authenticate: ${String(failed.reason)}`;
        break;
      }
    }
    if (client === clients.proxied) result.viaProxy = sockets.length;
    const openSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const after = processesOf(pgid);
    const held = sockets.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
    const probe = sockets[Math.floor(sockets.length / 2)]!;
    const woke = performance.now();
    const reply = probe.wait((f) => f.type === "response");
    probe.send({ type: "message", character_id: TEXT_CHARACTER, content: "wake up" });
    await withTimeout(reply, 30_000);
    const wakeMs = performance.now() - woke;
    return { ...result, held, openSeconds, idleSeconds, before, after, wakeMs };
  } finally {
    await closeAll(sockets);
  }
}

/** Closes every socket and waits (bounded) for the closes to finish, so the stack is not stopped under 10,000 of them. */
async function closeAll(sockets: BenchSocket[]) {
  const closed = sockets.map((s) => new Promise((r) => (s.ws.readyState === WebSocket.CLOSED ? r(undefined) : s.ws.addEventListener("close", r))));
  for (const s of sockets) s.ws.close();
  await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 30_000))]);
}
