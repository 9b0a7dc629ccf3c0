import { describe, expect, it } from "vitest";
import { readEvents } from "../../shared/client/sse";

const streamOf = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });

const collect = async (body: ReadableStream<Uint8Array>) => {
  const events = [];
  for await (const event of readEvents(body)) events.push(event);
  return events;
};

describe("the SDK's Server-Sent Events reader", () => {
  it("reads CRLF and CR line ends as well as LF, across chunk boundaries", async () => {
    const events = await collect(streamOf('event: response_chunk\r\ndata: {"a":1}\r\n\r', '\nevent: response\rdata: {"b":2}\r\r', "data: plain\n\n"));
    expect(events).toEqual([
      { event: "response_chunk", data: '{"a":1}' },
      { event: "response", data: '{"b":2}' },
      { event: "message", data: "plain" },
    ]);
  });

  it("joins multi-line data and skips comments", async () => {
    expect(await collect(streamOf(": keep-alive\n\nevent: error\ndata: line one\ndata: line two\n\n"))).toEqual([
      { event: "error", data: "line one\nline two" },
    ]);
  });
});
