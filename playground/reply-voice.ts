/**
 * A reply's voice while its text still streams (CHARACTER-ENGINE.md §4): its `audio_chunk` frames played
 * gaplessly and in order by the SDK's AudioChunkPlayer (in a group, each speaker's reply after the one
 * before it), and a tag on the reply saying how it goes
 * ("speaking · 3 chunks", a dot pulsing while it speaks). The bubble says the same to tests:
 * `data-voice-state` (speaking, spoken, stopped), `data-voice-chunks` (how many were played),
 * `data-voice-seqs` (their seqs, in the order they start), `data-voice-skipped` and
 * `data-voice-schedule` (`[[seq, startsAt, duration], ...]` in the AudioContext's seconds).
 */
import { AudioChunkPlayer, type ChatSocket, type PlayedChunk } from "../shared/client/index.js";
import { element } from "./dom.js";

type VoiceState = "speaking" | "spoken" | "stopped";

interface ReplyVoice {
  state: VoiceState;
  played: PlayedChunk[];
  skipped: number[];
}

/** Where the voice tag goes: the reply's bubble, if it is on the page (a reply swiped away is not). */
export interface VoiceHost {
  bubble(messageId: string): HTMLLIElement | undefined;
  /** A reply started or stopped speaking. */
  changed(): void;
}

export function setupVoice(host: VoiceHost) {
  const replies = new Map<string, ReplyVoice>();
  const reply = (id: string) => replies.get(id) ?? replies.set(id, { state: "speaking", played: [], skipped: [] }).get(id)!;

  // Made before any gesture, the context starts suspended in most browsers: `unlock` resumes it from one.
  const player = new AudioChunkPlayer({
    onChunk: (chunk) => show(chunk.messageId, (voice) => voice.played.push(chunk)),
    onSkip: (chunk) => show(chunk.messageId, (voice) => voice.skipped.push(chunk.seq)),
    onEnd: (id) => show(id, (voice) => (voice.state = "spoken")),
  });

  /** Changes a reply's voice and draws it on its bubble. */
  function show(id: string, change: (voice: ReplyVoice) => void) {
    change(reply(id));
    const li = host.bubble(id);
    if (li) draw(li);
    host.changed();
  }

  /** Puts a reply's voice tag and data attributes on its bubble; the page calls it for every bubble it makes. */
  function draw(li: HTMLLIElement) {
    const voice = replies.get(li.dataset.id ?? "");
    if (!voice) return;
    const count = voice.played.length;
    li.dataset.voiceState = voice.state;
    li.dataset.voiceChunks = String(count);
    li.dataset.voiceSeqs = voice.played.map((c) => c.seq).join(",");
    li.dataset.voiceSkipped = voice.skipped.join(",");
    li.dataset.voiceSchedule = JSON.stringify(voice.played.map((c) => [c.seq, c.startsAt, c.duration]));
    let tag = li.querySelector<HTMLElement>(":scope > .voice-tag");
    if (!tag) {
      tag = element("span", "voice-tag");
      tag.dataset.testid = "voice-tag";
      li.insertBefore(tag, li.querySelector(":scope > .tools"));
    }
    tag.className = `voice-tag ${voice.state}`;
    const chunks = `${count} chunk${count === 1 ? "" : "s"}${voice.skipped.length ? ` (${voice.skipped.length} skipped)` : ""}`;
    tag.textContent = `${{ speaking: "speaking", spoken: "spoke", stopped: "stopped" }[voice.state]} · ${chunks}`;
    tag.title = voice.played.map((c) => `“${c.text}” ${c.duration.toFixed(2)} s`).join("\n");
  }

  return {
    /** Plays what the socket's replies say: their chunks, and the media frame that ends each voice. */
    follow: (socket: ChatSocket) => player.follow(socket),
    /** Whether a reply is still speaking (or about to: in a group, the next speaker's reply waits its turn). */
    speaking: () => [...replies.values()].some((voice) => voice.state === "speaking"),
    /** Resumes audio; call it from a click or a key press (browsers' autoplay policy). */
    unlock: () => void player.resume().catch(() => undefined),
    /** Stops every reply being spoken or waiting to be (Stop, or a new message), and says so on them. */
    stop() {
      player.stop();
      for (const [id, voice] of replies) if (voice.state === "speaking") show(id, (v) => (v.state = "stopped"));
    },
    /** A new turn with no user message (a group's Next): the replies before it get no more speech, but play what they have. */
    settle: () => player.settle(),
    draw,
  };
}
