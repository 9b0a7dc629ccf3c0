/**
 * The first-token path of a streamed turn, end to end. Per turn, in epoch ms with sub-ms resolution
 * (performance.timeOrigin + performance.now() here and in the LLM emulator, another Node process on the
 * same machine): t0 the client sends, t1 the emulator receives the chat-completions request, t2 it writes
 * the first token, t3 the client has the first `response_chunk` event. Baseline probes (the bare
 * Worker's round trips, for the runtime's own cost) take turns with the project's turns, in blocks of 10.
 */
import { authHeaders, type Client } from "./client.ts";
import { TEXT_CHARACTER } from "./fixtures.ts";
import { epochMs, firstChunk, inTurns } from "./one-at-a-time.ts";

interface EmulatorTimings {
  now: number;
  timings: { lastUserMessage: string; receivedAt: number; firstTokenAt: number | null }[];
}

export interface Timeline {
  /** Client sends -> emulator receives: the dev proxy, the Worker, the Durable Object, the prompt. */
  toLlm: number[];
  /** Emulator receives -> first token written: the (instant) LLM. */
  llm: number[];
  /** First token written -> client has the first response_chunk: the way back. */
  back: number[];
  total: number[];
  baselines: Record<string, number[]>;
  /** The emulator's clock minus ours, and how sure that is (half the round trip that measured it). */
  clock: { offset: number; uncertainty: number };
}

export const timingsOf = async (emulator: string) => (await (await fetch(`${emulator}/__emulator/timings`)).json()) as EmulatorTimings;

/** Compares the two processes' clocks: the tightest of a few round trips bounds the error. */
export async function clockOffset(emulator: string) {
  let best = { offset: 0, uncertainty: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 10; i++) {
    const asked = epochMs();
    const { now } = await timingsOf(emulator);
    const answered = epochMs();
    if ((answered - asked) / 2 < best.uncertainty) best = { offset: now - (asked + answered) / 2, uncertainty: (answered - asked) / 2 };
  }
  return best;
}

/** The LLM emulator `npm start` started, from the banner it printed. */
export function emulatorOrigin(stackOutput: string): string {
  const url = stackOutput.match(/LLM EMULATOR at (http:\/\/\S+?)\/v1/)?.[1];
  if (!url) throw new Error("npm start printed no LLM emulator address: is LLM_BASE_URL set in .dev.vars?");
  return url;
}

export async function firstTokenTimeline(client: Client, emulator: string, turns: number, baselines: Record<string, () => Promise<number>>): Promise<Timeline> {
  const run = Math.random().toString(36).slice(2, 8);
  let turn = 0;
  const streamed = async () => {
    // A fresh marker per turn finds its request among the emulator's.
    const marker = `first token [${run}:${turn++}]`;
    const { sent: t0, first: t3 } = await firstChunk(`${client.baseUrl}/api/v1/chat/message`, {
      method: "POST",
      headers: authHeaders(client.key),
      body: JSON.stringify({ message: marker, character_id: TEXT_CHARACTER, session_id: `bench-first-token-${run}`, stream: true }),
    });
    return { marker, t0, t3 };
  };
  const { project, ...baselineSamples } = await inTurns({ ...baselines, project: streamed }, turns, 10);
  const { timings } = await timingsOf(emulator);
  const timeline: Timeline = {
    toLlm: [],
    llm: [],
    back: [],
    total: [],
    baselines: baselineSamples as Record<string, number[]>,
    clock: await clockOffset(emulator),
  };
  for (const { marker, t0, t3 } of project) {
    const seen = timings.find((t) => t.lastUserMessage.includes(marker));
    if (!seen?.firstTokenAt) throw new Error(`the LLM emulator has no first token for "${marker}"`);
    timeline.toLlm.push(seen.receivedAt - t0);
    timeline.llm.push(seen.firstTokenAt - seen.receivedAt);
    timeline.back.push(t3 - seen.firstTokenAt);
    timeline.total.push(t3 - t0);
  }
  return timeline;
}
