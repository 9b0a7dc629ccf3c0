import { createParser } from "eventsource-parser";
import { LlmError } from "./types";

/** Rejects with LlmError when `promise` takes longer than `ms`: a hung upstream must not hang the turn. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LlmError(`LLM ${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Yields the `data` of each Server-Sent Event as it arrives; `idleMs` bounds the wait for each chunk. */
export async function* readSseData(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<string> {
  const pending: string[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event.data) });
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await withTimeout(reader.read(), idleMs, "stream");
      if (done) return;
      parser.feed(value);
      while (pending.length > 0) yield pending.shift()!;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
