/** A full turn of a voice+video character against a text-only one, one at a time (bench/turns.ts). */
import { settle } from "../processes.ts";
import { latencyRow, type Row } from "../report.ts";
import { alternatingTurns, mediaOutcome } from "../turns.ts";
import type { BenchContext } from "./context.ts";

const TURNS_EACH = 50;

export async function fullTurnRow({ client, stack }: BenchContext): Promise<Row> {
  const turns = await alternatingTurns(client, TURNS_EACH, () => settle(stack.pgid));
  // The talking heads run on after the last turn: they must end before the next row, and should have succeeded.
  const settledMs = await settle(stack.pgid);
  const videos = await mediaOutcome(client, turns.videoRequests);
  return latencyRow(
    "full turn (non-streaming) of a voice+video character, one at a time",
    turns.voice,
    { label: "text-only", samples: turns.text },
    10,
    `alternating with the text-only turns (same prompt fields, ${TURNS_EACH} each, over 25 warmed-up sessions each, so none is revisited while its last voice still speaks); talking-head jobs afterwards: ${JSON.stringify(videos)}, settled ${(settledMs / 1000).toFixed(0)} s after`,
  );
}
