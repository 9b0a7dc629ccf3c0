/**
 * Turns of a user with 10,000 memories, memory on (the bench's stack) against the same turns on a stack
 * with memory off (bench/memory-setup.ts), in turns, one at a time; and the embeddings call that recall
 * makes, timed apart against the same LLM emulator. After every sample the probes wait until both stacks'
 * processes are quiet: a turn with memory on leaves background work (embedding its messages, extracting
 * facts), which a user typing the next message would not wait for either.
 */
import { authHeaders, type Client } from "../client.ts";
import { emulatorOrigin } from "../first-token.ts";
import { TEXT_CHARACTER } from "../fixtures.ts";
import { MEMORY_QUERIES } from "../memory-corpus.ts";
import type { MemoryOffStack, SeededMemoryUser } from "../memory-setup.ts";
import { firstChunkMs, inTurns, timeRequest } from "../one-at-a-time.ts";
import { groupsCpuMs, processesOf, untilQuiet } from "../processes.ts";
import { infoRow, type Row } from "../report.ts";
import { median, percentile } from "../support.ts";
import type { BenchContext } from "./context.ts";

const SAMPLES = 50;
const SESSIONS = 5;
/** The budget: recall adds at most this much to a turn, plus its embeddings call. */
const RECALL_BUDGET_MS = 10;

const ms = (n: number) => `${n.toFixed(1)} ms`;

export async function memoryTurnRows({ stack, client }: BenchContext, user: SeededMemoryUser, off: MemoryOffStack): Promise<Row[]> {
  const pids = [...processesOf(stack.pgid), ...processesOf(off.stack.pgid)].map((p) => p.pid);
  const embeddingsUrl = `${emulatorOrigin(stack.output())}/v1/embeddings`;
  let sent = 0;
  const message = () => `${MEMORY_QUERIES[sent % MEMORY_QUERIES.length]} (${sent++})`;
  const turnInit = (i: number, text: string, stream: boolean, key: string) => ({
    method: "POST",
    headers: authHeaders(key),
    body: JSON.stringify({
      message: text,
      character_id: TEXT_CHARACTER,
      session_id: `bench-memory-turn-${i % SESSIONS}`,
      stream,
      context: { user_id: user.userId },
    }),
  });
  const recalled: number[] = [];
  const cpu: Record<string, number[]> = { on: [], off: [] };
  // Each sample: its time, then the wait for quiet, with the CPU the stacks spent meanwhile.
  const quietly = (name: string, probe: () => Promise<number>) => async () => {
    const cpuBefore = groupsCpuMs(pids);
    const took = await probe();
    await untilQuiet(pids);
    cpu[name]?.push(groupsCpuMs(pids) - cpuBefore);
    return took;
  };
  const wholeTurn = async (target: Client, countRecalled: boolean) => {
    const started = performance.now();
    const res = await fetch(`${target.baseUrl}/api/v1/chat/message`, turnInit(sent, message(), false, target.key));
    const body = (await res.json()) as any;
    const took = performance.now() - started;
    if (!res.ok) throw new Error(`memory turn: ${res.status} ${JSON.stringify(body)}`);
    if (countRecalled) recalled.push(body.metadata?.memories?.length ?? 0);
    else if (body.metadata?.memories?.length) throw new Error("a turn with memory off used memories");
    return took;
  };
  const sse = (target: Client) => firstChunkMs(`${target.baseUrl}/api/v1/chat/message`, turnInit(sent, message(), true, target.key));
  const embed = () =>
    timeRequest(embeddingsUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ input: [message()] }) });

  // Each session's first turn binds it to the user.
  for (let i = 0; i < SESSIONS; i++) {
    await wholeTurn(client, true);
    await wholeTurn(off.client, false);
  }
  const seq = await inTurns(
    {
      on: quietly("on", () => wholeTurn(client, true)),
      off: quietly("off", () => wholeTurn(off.client, false)),
      onSse: quietly("onSse", () => sse(client)),
      offSse: quietly("offSse", () => sse(off.client)),
      embed: quietly("embed", embed),
    },
    SAMPLES,
    10,
  );
  // Memory off must mean no memory work at all: the off stack's own emulator saw no embeddings request.
  const offEmbeddings = (await (await fetch(`${emulatorOrigin(off.stack.output())}/__emulator/embeddings`)).json()) as unknown[];
  if (offEmbeddings.length > 0) throw new Error(`the MEMORY=off stack made ${offEmbeddings.length} embeddings requests: memory was not off`);

  const embedP50 = median(seq.embed);
  const budget = RECALL_BUDGET_MS + embedP50;
  const onOff = (what: string, on: number[], offSamples: number[], label: string, notes: string): Row => {
    const extra = median(on) - median(offSamples);
    return {
      what,
      measured: `p50 ${ms(median(on))}, p90 ${ms(percentile(on, 90))}`,
      baseline: `${label} p50 ${ms(median(offSamples))}`,
      compared: `${extra >= 0 ? "+" : ""}${ms(extra)}; recall beyond its embeddings call ${ms(extra - embedP50)}`,
      target: `<= +${RECALL_BUDGET_MS} ms + embeddings call (${ms(budget)})`,
      result: extra <= budget ? "met" : "MISSED",
      notes: `${on.length} samples each, in turns, each after both stacks went quiet; ${notes}`,
    };
  };
  const cpuNote = `stack CPU per turn until quiet (reply and background work), p50: memory on ${ms(median(cpu.on!))}, off ${ms(median(cpu.off!))}`;
  return [
    onOff(
      `full turn (non-streaming), a user with ${user.size.toLocaleString("en")} memories, memory on vs off, one at a time`,
      seq.on,
      seq.off,
      "memory off",
      `${SESSIONS} sessions of the user, a new question each turn (so recall embeds it); items recalled into the prompt, median ${median(recalled)}; ${cpuNote}`,
    ),
    onOff(
      `first response_chunk over SSE, a user with ${user.size.toLocaleString("en")} memories, memory on vs off, one at a time`,
      seq.onSse,
      seq.offSse,
      "memory off",
      "recall runs before the LLM is asked, so it delays the first chunk as much as the whole turn",
    ),
    infoRow(
      "embeddings call for one query (bench to the LLM emulator), one at a time",
      `p50 ${ms(embedP50)}, p90 ${ms(percentile(seq.embed, 90))}`,
      `${seq.embed.length} samples, in turns with the rows above: the call recall makes (from the memory object) before it searches`,
    ),
  ];
}
