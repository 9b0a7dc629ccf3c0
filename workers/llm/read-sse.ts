import { createParser } from "eventsource-parser";
import { withTimeout } from "../../shared/timeout";
import { LlmError } from "./types";

/** Rejects with LlmError when `promise` takes longer than `ms`: a hung upstream must not hang the turn. */
export const llmDeadline = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  withTimeout(promise, ms, () => {
    throw new LlmError(`LLM ${what} timed out after ${ms} ms`);
  });

/** Yields the `data` of each Server-Sent Event as it arrives; `idleMs` bounds the wait for each chunk. */
export async function* readSseData(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<string> {
  const pending: string[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event.data) });
  // A decoder on the reader, rather than a TextDecoderStream stage: one stream hop less per chunk.
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await llmDeadline(reader.read(), idleMs, "stream");
      if (done) {
        parser.feed(decoder.decode());
        while (pending.length > 0) yield pending.shift()!;
        return;
      }
      parser.feed(decoder.decode(value, { stream: true }));
      while (pending.length > 0) yield pending.shift()!;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
