import { ChatacterError } from "./errors.js";

/** A body that is already JSON text (a lorebook file as read from disk): sent as it is, not serialized again. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A body sent as the bytes it is (a file), with its own Content-Type. */
export class BinaryBody {
  constructor(
    readonly bytes: Blob | ArrayBuffer | Uint8Array<ArrayBuffer>,
    readonly contentType: string,
  ) {}
}

export interface Transport {
  baseUrl: string;
  apiKey?: string | null;
  fetch: typeof fetch;
}

/** One API call: JSON in, JSON out, errors as ChatacterError with the API's code. */
export async function call<T>(transport: Transport, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await send(transport, method, path, body, headers);
  return (await response.json()) as T;
}

export async function send(transport: Transport, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  let response: Response;
  try {
    response = await transport.fetch(`${transport.baseUrl}${path}`, {
      method,
      headers: {
        ...(transport.apiKey ? { Authorization: `Bearer ${transport.apiKey}` } : {}),
        ...(body === undefined ? {} : { "Content-Type": body instanceof BinaryBody ? body.contentType : "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : body instanceof BinaryBody ? body.bytes : body instanceof JsonText ? body.text : JSON.stringify(body),
    });
  } catch (error) {
    throw new ChatacterError("NETWORK_ERROR", `Cannot reach ${transport.baseUrl}: ${(error as Error).message}`);
  }
  if (!response.ok) throw await toError(response);
  return response;
}

async function toError(response: Response): Promise<ChatacterError> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string; request_id?: string; details?: unknown; retry_after_seconds?: number } }
    | undefined;
  const error = body?.error;
  return new ChatacterError(
    (error?.code as ChatacterError["code"]) ?? "INTERNAL_ERROR",
    error?.message ?? `HTTP ${response.status}`,
    response.status,
    error?.request_id ?? response.headers.get("X-Request-Id") ?? undefined,
    error?.details,
    error?.retry_after_seconds,
  );
}
