/**
 * Where Replicate-style outputs are fetched: /files/{name}, and two faults: /huge/{name} (a 40 MiB WAV
 * sent without Content-Length) and /redirect/{name} (a redirect to another origin, `localhost` in place
 * of `127.0.0.1`).
 */
import { Hono } from "hono";
import type { EmulatorEnv } from "./http.ts";
import type { Predictions } from "./predictions.ts";

const HUGE_BYTES = 40 * 1024 * 1024;
const HUGE_CHUNK_BYTES = 256 * 1024;

function hugeWavHeader(): Uint8Array {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(HUGE_BYTES - 8, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(24_000, 24);
  header.writeUInt32LE(48_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(HUGE_BYTES - 44, 40);
  return header;
}

/** A header that says 40 MiB, then silence, made as the reader pulls it (never held whole). */
function hugeWav(): ReadableStream<Uint8Array> {
  const silence = new Uint8Array(HUGE_CHUNK_BYTES);
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent === 0) {
          const header = hugeWavHeader();
          sent = header.length;
          return controller.enqueue(header);
        }
        if (sent >= HUGE_BYTES) return controller.close();
        const piece = silence.subarray(0, Math.min(silence.length, HUGE_BYTES - sent));
        sent += piece.length;
        controller.enqueue(piece);
      },
    },
    { highWaterMark: 0 },
  );
}

export function fileRoutes(predictions: Predictions) {
  return new Hono<EmulatorEnv>()
    .get("/files/:name{.+}", (c) => {
      const file = predictions.files.get(c.req.param("name"));
      if (!file) return c.json({ detail: "Not found" }, 404);
      return c.body(file.bytes, 200, { "Content-Type": file.type, "Content-Length": String(file.bytes.length) });
    })
    .get("/huge/:name{.+}", (c) => c.body(hugeWav(), 200, { "Content-Type": "audio/wav" }))
    .get("/redirect/:name{.+}", (c) => c.redirect(`${predictions.base.replace("127.0.0.1", "localhost")}/files/${c.req.param("name")}`, 302));
}
