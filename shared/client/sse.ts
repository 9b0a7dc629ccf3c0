import { createParser, type EventSourceMessage } from "eventsource-parser";

/**
 * Reads a Server-Sent Events body into `{event, data}` pairs as they arrive, with the same parser the
 * Worker reads its LLM with (LF, CR and CRLF line ends, multi-line data, comments).
 */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      for (let message = pending.shift(); message; message = pending.shift()) yield { event: message.event ?? "message", data: message.data };
    }
  } finally {
    reader.releaseLock();
  }
}
