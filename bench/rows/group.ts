/**
 * Group sessions (CHARACTER-ENGINE.md §5): a 3-speaker turn (strategy `list`, text-only characters,
 * instant emulated LLM) over one socket, from sending the message to the first response_chunk of each
 * speaker; the one-character turn's first chunk, measured in turns with it, is the baseline.
 */
import { startStack } from "../../tools/stack.ts";
import { stopOnExit } from "../cleanup.ts";
import { call } from "../client.ts";
import { createChatKey, TEXT_CHARACTER, textCharacter } from "../fixtures.ts";
import { STACK_ENV } from "../setup.ts";
import { authed } from "../realtime.ts";
import { infoRow, type Row } from "../report.ts";
import { median, percentile } from "../support.ts";
import type { BenchContext } from "./context.ts";

const TURNS = 40;
const SPEAKERS = ["bench-group-ada", "bench-group-bo", "bench-group-cy"];
const NAMES = ["Ada", "Bo", "Cy"];

/** BENCH_ONLY=group: the rows on a stack of their own. */
export async function groupRowsAlone(): Promise<{ rows: Row[]; section: string }> {
  const stack = await startStack(STACK_ENV);
  const untrack = stopOnExit(() => stack.stop());
  try {
    await call({ baseUrl: stack.baseUrl, key: stack.adminKey }, "POST", "/api/v1/characters", textCharacter(TEXT_CHARACTER));
    const client = { baseUrl: stack.baseUrl, key: await createChatKey(stack.baseUrl, stack.adminKey) };
    return { rows: await groupRows({ client, stack }), section: "" };
  } finally {
    untrack();
    await stack.stop();
  }
}

export async function groupRows({ client, stack }: Pick<BenchContext, "client" | "stack">): Promise<Row[]> {
  const admin = { baseUrl: client.baseUrl, key: stack.adminKey };
  for (const [i, id] of SPEAKERS.entries()) await call(admin, "POST", "/api/v1/characters", { ...textCharacter(id), name: NAMES[i] });
  await call(client, "POST", "/api/v1/chat/sessions", { character_ids: SPEAKERS, strategy: "list", session_id: "bench-group" });
  const group = await authed(client, "bench-group");
  const single = await authed(client, "bench-group-single");

  const bySpeaker: number[][] = SPEAKERS.map(() => []);
  const baseline: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    // In turns: the group's, then the one-character baseline's, so both meet the same machine.
    const started = performance.now();
    const firsts = SPEAKERS.map((id) => group.wait((f) => f.type === "response_chunk" && f.seq === 0 && f.character_id === id));
    const last = group.wait((f) => f.type === "response" && f.character_id === SPEAKERS.at(-1));
    group.send({ type: "message", content: `group latency ${i}` });
    const times = await Promise.all(firsts.map((first) => first.then(() => performance.now() - started)));
    for (const [s, ms] of times.entries()) bySpeaker[s]!.push(ms);
    await last;

    const one = performance.now();
    const first = single.wait((f) => f.type === "response_chunk" && f.seq === 0);
    const done = single.wait((f) => f.type === "response");
    single.send({ type: "message", character_id: TEXT_CHARACTER, content: `single latency ${i}` });
    await first;
    baseline.push(performance.now() - one);
    await done;
  }
  group.ws.close();
  single.ws.close();
  const figures = bySpeaker.map((samples, s) => `${NAMES[s]} p50 ${median(samples).toFixed(1)} ms (p99 ${percentile(samples, 99).toFixed(1)})`).join("; ");
  const gaps = bySpeaker.slice(1).map((samples, s) => (median(samples) - median(bySpeaker[s]!)).toFixed(1));
  return [
    infoRow(
      "WS group turn, 3 speakers (list): send to each speaker's first response_chunk",
      figures,
      `one-character turn in the same run: p50 ${median(baseline).toFixed(1)} ms; each next speaker starts ${gaps.join(" / ")} ms after the one before (its whole reply, stored, then the next prompt); ${TURNS} turns`,
    ),
  ];
}
