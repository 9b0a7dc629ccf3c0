import { ClientFrame, MAX_FRAME_BYTES, type ErrorFrame } from "../../shared/schemas/realtime";
import { errorFrame } from "./frames";

const FRAME_TYPES: string[] = ClientFrame.options.map((option) => option.shape.type.value);

export type Parsed = { ok: true; frame: ClientFrame } | { ok: false; error: ErrorFrame };

/** Turns a raw WebSocket frame into a typed client frame, or the error frame that answers it. */
export function parseClientFrame(raw: string | ArrayBuffer): Parsed {
  const size = typeof raw === "string" ? new TextEncoder().encode(raw).byteLength : raw.byteLength;
  if (size > MAX_FRAME_BYTES) {
    return { ok: false, error: errorFrame("INVALID_REQUEST", `Frame of ${size} bytes refused: the limit is ${MAX_FRAME_BYTES}`) };
  }
  if (typeof raw !== "string") return { ok: false, error: errorFrame("INVALID_REQUEST", "Binary frames are not supported: send JSON text") };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: errorFrame("INVALID_REQUEST", "Frame is not valid JSON") };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || !FRAME_TYPES.includes(type)) {
    return { ok: false, error: errorFrame("INVALID_REQUEST", `Unknown frame type ${JSON.stringify(type ?? null)}: expected ${FRAME_TYPES.join(", ")}`) };
  }
  const result = ClientFrame.safeParse(json);
  if (!result.success) {
    const summary = result.error.issues.map((i) => `${i.path.join(".") || type}: ${i.message}`).join("; ");
    // Echoed when the frame named one, so the client can tell which of its requests was refused.
    const clientId = (json as { client_message_id?: unknown }).client_message_id;
    const echo = typeof clientId === "string" && clientId.length <= 128 ? { client_message_id: clientId } : {};
    return { ok: false, error: errorFrame("INVALID_REQUEST", `Invalid ${type} frame: ${summary}`, echo) };
  }
  return { ok: true, frame: result.data };
}
