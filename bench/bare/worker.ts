/**
 * The bare Worker the benchmarks compare the project against (bench/bare-worker.ts starts it): a tiny
 * text body for any request, and at /sse a Server-Sent Events body of one `response_chunk` event.
 */

/** The paths it answers; the launcher builds its URLs from this type, so the two cannot drift apart. */
export type BarePath = "/" | "/sse";

const SSE_PATH: BarePath = "/sse";
const EVENT = `event: response_chunk\ndata: ${JSON.stringify({ type: "response_chunk", seq: 0, delta: "Hello! " })}\n\n`;

/** @public wrangler serves it (bench/bare/wrangler.toml's main), a config knip does not read. */
export default {
  fetch(request) {
    if (new URL(request.url).pathname !== SSE_PATH) return new Response("ok");
    // Streamed like the project's replies (chunked, written after the headers), not a fixed-length body.
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    writer.write(new TextEncoder().encode(EVENT));
    writer.close();
    return new Response(readable, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" } });
  },
} satisfies ExportedHandler;
