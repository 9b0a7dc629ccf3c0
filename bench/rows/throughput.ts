/** Requests per second under concurrency, as ratios to the bare Worker's: reads under 32 connections, chat turns under 8. */
import { TEXT_CHARACTER, VOICE_CHARACTER } from "../fixtures.ts";
import { load, loadRounds } from "../http-load.ts";
import { settle } from "../processes.ts";
import { throughputRow, type Row } from "../report.ts";
import type { BenchContext } from "./context.ts";

const ROUNDS = 3;

export async function throughputRows({ bare, stack, api, headers, historyPage }: BenchContext, seconds: number): Promise<Row[]> {
  const roundsNote = `median of ${ROUNDS} rounds of ${seconds} s, routes in turn`;
  const get = (url: string, withKey = true) => ({ url, headers: withKey ? headers : undefined, connections: 32, seconds });
  const reads = await loadRounds({ bare: get(bare.baseUrl, false), characters: get(api("/api/v1/characters")), history: get(historyPage(10_000)) }, ROUNDS);

  // The bare Worker gets the same JSON bodies (and ignores them).
  const chat = (url: string, characterId: string) => ({
    url,
    method: "POST" as const,
    headers,
    body: (i: number) => JSON.stringify({ message: `load ${i}`, character_id: characterId, session_id: `bench-load-${characterId}-${i % 64}` }),
    connections: 8,
    seconds,
  });
  const chats = await loadRounds({ bare: chat(bare.baseUrl, TEXT_CHARACTER), text: chat(api("/api/v1/chat/message"), TEXT_CHARACTER) }, ROUNDS);
  // Once, last: its media jobs run on well after the window and would load whatever came next.
  const voice = await load(chat(api("/api/v1/chat/message"), VOICE_CHARACTER));
  const settledMs = await settle(stack.pgid, 120_000);

  return [
    throughputRow("bare Worker GET, 32 connections", reads.bare, reads.bare, undefined, roundsNote),
    throughputRow("GET /api/v1/characters, 32 connections", reads.characters, reads.bare, 0.8, roundsNote),
    throughputRow("GET history page at 10,000 messages, 32 connections", reads.history, reads.bare, 0.6, roundsNote),
    throughputRow("bare Worker POST (same JSON body), 8 connections", chats.bare, chats.bare, undefined, roundsNote),
    throughputRow("chat turns/s, text-only, 8 connections (64 sessions)", chats.text, chats.bare, 0.3, roundsNote),
    throughputRow(
      "chat turns/s, voice+video, 8 connections (64 sessions)",
      voice,
      chats.bare,
      0.1,
      `one window of ${seconds} s after the rounds; its media jobs settled ${(settledMs / 1000).toFixed(0)} s after`,
    ),
  ];
}
