/**
 * Voiced turns over one WebSocket, one at a time (bench/rows/voice.ts). Every frame is kept with the time
 * it arrived (epoch ms, `epochMs`); a voiced turn ends with its reply's `media` frame (the whole audio
 * ended), and each is followed by a text-only turn on a second socket, the first-token baseline. After
 * each turn the stack must go quiet, so no turn is timed on the last one's leftovers.
 */
import type { Client } from "./client.ts";
import { epochMs } from "./one-at-a-time.ts";
import { untilQuiet } from "./processes.ts";
import { authed } from "./realtime.ts";
import type { BenchSocket } from "./support.ts";

interface Arrival {
  at: number;
  frame: any;
}

export interface VoicedTurn {
  /** Unique to the turn, at the start of the message: it is in the reply's first chunk too. */
  marker: string;
  messageId: string;
  sent: number;
  /** The first and the last response_chunk. */
  firstText: number;
  lastText: number;
  /** The audio_chunk frames, in the order they came. */
  audio: { seq: number; at: number; text: string }[];
  /** The `media` frame whose audio_status is "ready". */
  mediaReady: number;
}

/** A voiced turn whose whole audio had not ended VOICED_TIMEOUT_MS after it was sent; the next message stops its voice. */
interface StuckTurn {
  /** 0 for the warm-up turn. */
  turn: number;
  messageId: string;
  /** The audio_chunk frames that came. */
  seqs: number[];
}

export interface VoiceTurnsResult {
  voiced: VoicedTurn[];
  stuck: StuckTurn[];
  /** Text-only turns: send to the first response_chunk, ms. */
  textFirstChunk: number[];
  /** CPU ms by process role over the kept voiced turns, and over their text-only turns (each until the stack was quiet again). */
  voicedCpu: Record<string, number>;
  textCpu: Record<string, number>;
  sessionId: string;
}

/** A voiced turn takes about a second here; one whose audio has not ended by then never will (a lost webhook, say). */
const VOICED_TIMEOUT_MS = 8_000;
const TEXT_TIMEOUT_MS = 5_000;
/** Voiced turns whose audio never ended that the row tolerates, reported, before it gives up. */
const MAX_STUCK = 5;
const AUDIO_ENDED = new Set(["ready", "completed", "failed", "canceled"]);

/** The message of turn `marker`: about 300 characters in four sentences, which the LLM emulator echoes. */
const voiceMessage = (marker: string) =>
  `${marker}: we walked along the harbour at dawn, before the fish market opened. The boats were still tied up, ` +
  "and the gulls argued over a crate of mackerel. Later the fog lifted and we could finally see the old lighthouse on the far " +
  "cliff. What would you have painted first, and why?";

/** A socket's frames, each with its arrival time; one turn at a time. */
class FrameLog {
  readonly socket: BenchSocket;
  private arrivals: Arrival[] = [];
  private waiter?: { done: (frame: any) => boolean; resolve: () => void; reject: (error: Error) => void };

  // Node runs the bench by stripping types: no parameter properties.
  constructor(socket: BenchSocket) {
    this.socket = socket;
    socket.ws.addEventListener("message", (event) => {
      const arrival = { at: epochMs(), frame: JSON.parse(String(event.data)) };
      this.arrivals.push(arrival);
      if (arrival.frame.type === "error") this.waiter?.reject(new Error(`error frame: ${JSON.stringify(arrival.frame)}`));
      else if (this.waiter?.done(arrival.frame)) this.waiter.resolve();
    });
  }

  /** Sends `frame`; answers when it left and the frames up to the one `done` accepts, or those of `timeoutMs` if none does. */
  async turn(frame: unknown, done: (frame: any) => boolean, timeoutMs: number): Promise<{ sent: number; arrivals: Arrival[]; timedOut: boolean }> {
    this.arrivals = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = new Promise<boolean>((resolve, reject) => {
      this.waiter = { done, resolve: () => resolve(false), reject };
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const sent = epochMs();
    this.socket.send(frame);
    try {
      return { sent, timedOut: await ended, arrivals: this.arrivals };
    } finally {
      clearTimeout(timer);
      this.waiter = undefined;
    }
  }
}

function addCpu(sum: Record<string, number>, before: Record<string, number> | undefined, after: Record<string, number> | undefined): void {
  for (const [role, ms] of Object.entries(after ?? {})) sum[role] = (sum[role] ?? 0) + ms - (before?.[role] ?? 0);
}

function voicedTurn(marker: string, sent: number, arrivals: Arrival[]): VoicedTurn {
  const response = arrivals.find((a) => a.frame.type === "response")?.frame;
  if (!response?.media?.audio_request_id) throw new Error(`turn ${marker}: its reply names no audio: ${JSON.stringify(response)}`);
  const mine = arrivals.filter((a) => a.frame.message_id === response.message_id);
  const text = mine.filter((a) => a.frame.type === "response_chunk");
  const audio = mine.filter((a) => a.frame.type === "audio_chunk");
  const media = mine.find((a) => a.frame.type === "media")!;
  if (media.frame.media.audio_status !== "ready") throw new Error(`turn ${marker}: the reply's audio ended ${JSON.stringify(media.frame.media)}`);
  const failed = audio.find((a) => a.frame.error || a.frame.audio_url === null);
  if (failed) throw new Error(`turn ${marker}: a chunk was not voiced: ${JSON.stringify(failed.frame)}`);
  if (audio.some((a, i) => a.frame.seq !== i)) throw new Error(`turn ${marker}: audio chunks out of order: ${audio.map((a) => a.frame.seq)}`);
  if (!text.length || !audio.length) throw new Error(`turn ${marker}: ${text.length} response chunks, ${audio.length} audio chunks`);
  return {
    marker,
    messageId: response.message_id,
    sent,
    firstText: text[0]!.at,
    lastText: text.at(-1)!.at,
    audio: audio.map((a) => ({ seq: a.frame.seq, at: a.at, text: a.frame.text })),
    mediaReady: media.at,
  };
}

export interface VoiceTurnsOptions {
  characters: { voice: string; text: string };
  turns: number;
  /** The stack's processes, which must go quiet between turns. */
  pids: number[];
  /** The message of a turn, from its marker (which it must start with); `voiceMessage` by default. */
  message?: (marker: string) => string;
  /** CPU ms each process of the stack has used so far, by role: summed over the voiced turns. */
  cpuByRole?: () => Record<string, number>;
}

/**
 * `turns` voiced turns of the voice character on one socket (plus one first, not kept, that wakes the
 * session and the emulator), each followed by a text-only turn of the text character on a second socket.
 */
export async function voiceTurns(client: Client, options: VoiceTurnsOptions): Promise<VoiceTurnsResult> {
  const { characters, turns, pids, message = voiceMessage, cpuByRole } = options;
  const run = Math.random().toString(36).slice(2, 8);
  const sessionId = `bench-voice-${run}`;
  const voiceLog = new FrameLog(await authed(client, sessionId));
  const textLog = new FrameLog(await authed(client, `bench-voice-text-${run}`));
  const result: VoiceTurnsResult = { voiced: [], stuck: [], textFirstChunk: [], voicedCpu: {}, textCpu: {}, sessionId };
  try {
    for (let i = -1; i < turns; i++) {
      const marker = `Take ${i + 1} of run ${run}`;
      // The reply's id comes first, in the user_message frame: a stopped earlier reply's media frame is not this one's end.
      let replyId: string | undefined;
      const cpuBefore = cpuByRole?.();
      const voiced = await voiceLog.turn(
        { type: "message", character_id: characters.voice, content: message(marker) },
        (f) => {
          if (f.type === "user_message") replyId = f.reply_id;
          return f.type === "media" && f.message_id === replyId && AUDIO_ENDED.has(String(f.media?.audio_status));
        },
        VOICED_TIMEOUT_MS,
      );
      await untilQuiet(pids);
      const cpuAfter = cpuByRole?.();
      // Its own marker: the LLM emulator's timings are found by message.
      const plain = message(`Text ${i + 1} of run ${run}`);
      const text = await textLog.turn({ type: "message", character_id: characters.text, content: plain }, (f) => f.type === "response", TEXT_TIMEOUT_MS);
      if (text.timedOut) throw new Error(`text turn ${i + 1}: no response in ${TEXT_TIMEOUT_MS} ms`);
      await untilQuiet(pids);
      const cpuAfterText = cpuByRole?.();
      if (voiced.timedOut) {
        const seqs = voiced.arrivals.filter((a) => a.frame.type === "audio_chunk" && a.frame.message_id === replyId).map((a) => a.frame.seq);
        console.error(`bench: voiced turn ${i + 1}: the reply's audio had not ended after ${VOICED_TIMEOUT_MS} ms (audio chunks ${seqs.join(", ") || "none"})`);
        result.stuck.push({ turn: i + 1, messageId: replyId ?? "", seqs });
        if (result.stuck.length > MAX_STUCK) throw new Error(`${result.stuck.length} voiced turns whose audio never ended: ${JSON.stringify(result.stuck)}`);
        continue;
      }
      if (i < 0) continue;
      addCpu(result.voicedCpu, cpuBefore, cpuAfter);
      addCpu(result.textCpu, cpuAfter, cpuAfterText);
      result.voiced.push(voicedTurn(marker, voiced.sent, voiced.arrivals));
      const firstChunk = text.arrivals.find((a) => a.frame.type === "response_chunk");
      if (!firstChunk) throw new Error(`text turn ${marker}: no response_chunk`);
      result.textFirstChunk.push(firstChunk.at - text.sent);
    }
  } finally {
    voiceLog.socket.ws.close();
    textLog.socket.ws.close();
  }
  return result;
}
