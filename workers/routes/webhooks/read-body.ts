import { ApiError } from "../../api-error";
import { log } from "../../log";

/**
 * A webhook's body as text, at most `maxBytes`: refused from Content-Length before a byte is read,
 * else counted while it streams and cut off at the cap (so a chunked body cannot grow without end).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new ApiError("INVALID_REQUEST", `Webhook body is larger than ${maxBytes} bytes`);
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > maxBytes) {
    await request.body?.cancel();
    throw tooLarge();
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const decoder = new TextDecoder();
  return chunks.map((chunk, i) => decoder.decode(chunk, { stream: i < chunks.length - 1 })).join("");
}

/** A refused webhook: the client hears only "Invalid webhook"; the reason goes to the log with the request id. */
export function rejectWebhook(requestId: string | undefined, route: string, reason: string): never {
  log("warn", "webhook_rejected", { request_id: requestId, route, reason });
  throw new ApiError("UNAUTHORIZED", "Invalid webhook");
}
