/**
 * Copies a finished job's file into R2 as it arrives: through a counting stream that gives up at
 * MAX_OUTPUT_BYTES, so neither a lying Content-Length nor an endless body can exhaust the isolate.
 * A file of known length streams straight into R2; one of unknown length is held once, under the cap.
 */
import { MediaFileError, type ReadRange } from "../../gpu-jobs/media-files";
import { faststart } from "../../gpu-jobs/mp4-faststart";
import { MAX_OUTPUT_BYTES } from "./output-limits";
import type { OutputSource } from "./output-source";

/** `source` counted as it is read; `problem` names what was wrong with the source when it failed. */
function counted(source: ReadableStream<Uint8Array>, cap: number) {
  const state = { bytes: 0, problem: undefined as string | undefined };
  const reader = source.getReader();
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, problem: string) => {
    state.problem = problem;
    controller.error(new MediaFileError(problem));
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          return fail(controller, error instanceof MediaFileError ? error.message : "the output's download broke off");
        }
        if (chunk.done) return controller.close();
        state.bytes += chunk.value.byteLength;
        if (state.bytes > cap) {
          await reader.cancel().catch(() => undefined);
          return fail(controller, `the output is larger than ${cap} bytes`);
        }
        controller.enqueue(chunk.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

/**
 * Stores the output under `key`; answers its size. Throws MediaFileError for a bad source (too large,
 * cut off, shorter than it said); anything else (R2 failing) is thrown as it is, to be retried.
 */
export async function storeOutput(bucket: R2Bucket, key: string, source: OutputSource, options: R2PutOptions): Promise<number> {
  if (source.length !== undefined && source.length > MAX_OUTPUT_BYTES) {
    await source.body.cancel().catch(() => undefined);
    throw new MediaFileError(`the output is larger than ${MAX_OUTPUT_BYTES} bytes`);
  }
  // A known length bounds the count too: more bytes than announced is as bad as too many.
  const { stream, state } = counted(source.body, source.length ?? MAX_OUTPUT_BYTES);
  try {
    if (source.length !== undefined) {
      // R2 takes a stream only of known length.
      const fixed = new FixedLengthStream(source.length);
      await Promise.all([bucket.put(key, fixed.readable, options), stream.pipeTo(fixed.writable)]);
      return source.length;
    }
    const chunks: Uint8Array[] = [];
    for (const reader = stream.getReader(); ; ) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const bytes = new Uint8Array(state.bytes);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    chunks.length = 0;
    await bucket.put(key, bytes, options);
    return bytes.length;
  } catch (error) {
    if (state.problem) throw new MediaFileError(state.problem);
    if (source.length !== undefined && state.bytes !== source.length) throw new MediaFileError("the output ended before its announced length");
    throw error;
  }
}

/** Range reads of a stored object, for probing its headers. */
export const rangeReader =
  (bucket: R2Bucket, key: string): ReadRange =>
  async (offset, length) => {
    const object = await bucket.get(key, { range: { offset, length } });
    if (!object) throw new MediaFileError("the stored output vanished");
    return new Uint8Array(await object.arrayBuffer());
  };

/**
 * Rewrites a stored MP4 whose moov comes after mdat with moov first (same key, same size), so a browser
 * can play it before the whole file has arrived. The file is held twice, under MAX_OUTPUT_BYTES each.
 */
export async function storeAsFaststart(bucket: R2Bucket, key: string, options: R2PutOptions): Promise<void> {
  const object = await bucket.get(key);
  if (!object) throw new MediaFileError("the stored output vanished");
  await bucket.put(key, faststart(new Uint8Array(await object.arrayBuffer())), options);
}
