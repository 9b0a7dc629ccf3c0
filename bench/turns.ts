/**
 * Full turns (non-streaming POST /api/v1/chat/message), one at a time, a text-only character and a voice+video
 * one alternating: each voice turn starts speech and talking-head jobs that run in the background (GPU
 * emulator, webhooks, R2), and alternating makes that background load fall on both characters alike.
 */
import { authHeaders, call, type Client } from "./client.ts";
import { TEXT_CHARACTER, VOICE_CHARACTER } from "./fixtures.ts";

// Enough sessions that one comes round again only after its last reply's voice has ended: a new turn in a
// session stops the voice still speaking (CHARACTER-ENGINE.md §4), which would put that work on the turn.
const SESSIONS = 25;

async function timedTurn(client: Client, characterId: string, sessionId: string, message: string) {
  const started = performance.now();
  const res = await fetch(`${client.baseUrl}/api/v1/chat/message`, {
    method: "POST",
    headers: authHeaders(client.key),
    body: JSON.stringify({ message, character_id: characterId, session_id: sessionId }),
  });
  const body = (await res.json()) as any;
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`turn of ${characterId}: ${res.status} ${JSON.stringify(body)}`);
  return { ms, media: body.media };
}

export async function alternatingTurns(client: Client, turnsEach: number, settle: () => Promise<unknown>) {
  const text: number[] = [];
  const voice: number[] = [];
  const videoRequests: string[] = [];
  // Every session is warmed up first (its object started, its media switch read), then the stack left to go quiet.
  for (let s = 0; s < SESSIONS; s++) {
    await timedTurn(client, TEXT_CHARACTER, `bench-turn-text-${s}`, "warm up");
    await timedTurn(client, VOICE_CHARACTER, `bench-turn-voice-${s}`, "warm up");
  }
  await settle();
  for (let i = 0; i < turnsEach; i++) {
    const plain = await timedTurn(client, TEXT_CHARACTER, `bench-turn-text-${i % SESSIONS}`, `turn ${i}`);
    const spoken = await timedTurn(client, VOICE_CHARACTER, `bench-turn-voice-${i % SESSIONS}`, `turn ${i}`);
    // A voice turn that started no media would make the comparison meaningless.
    if (plain.media !== null || spoken.media?.status !== "pending" || !spoken.media.video_request_id || !spoken.media.audio_request_id) {
      throw new Error(`unexpected media: text ${JSON.stringify(plain.media)}, voice+video ${JSON.stringify(spoken.media)}`);
    }
    videoRequests.push(spoken.media.video_request_id);
    text.push(plain.ms);
    voice.push(spoken.ms);
  }
  return { text, voice, videoRequests };
}

/** The final status of each media request, counted, once all are final or `timeoutMs` has passed. */
export async function mediaOutcome(client: Client, requestIds: string[], timeoutMs = 60_000): Promise<Record<string, number>> {
  const deadline = performance.now() + timeoutMs;
  const statuses = new Map<string, string>();
  for (;;) {
    for (const id of requestIds) {
      const known = statuses.get(id);
      if (known === "completed" || known === "failed" || known === "canceled") continue;
      statuses.set(id, (await call(client, "GET", `/api/v1/media/status/${id}`)).status);
    }
    const counts: Record<string, number> = {};
    for (const status of statuses.values()) counts[status] = (counts[status] ?? 0) + 1;
    if (counts.queued === undefined && counts.processing === undefined) return counts;
    if (performance.now() > deadline) return counts;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
