import { exports } from "cloudflare:workers";

// The Worker's default export, as the runtime exposes it to tests (what SELF used to be).
const worker = (exports as unknown as { default: Fetcher }).default;

export const ADMIN_KEY = "test-admin-key";

export interface Call {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Calls the Worker under test the way a client would, with the admin key unless told otherwise. */
export async function api(method: string, path: string, call: Call = {}) {
  const headers: Record<string, string> = { ...call.headers };
  const key = call.key === undefined ? ADMIN_KEY : call.key;
  if (key) headers.Authorization = `Bearer ${key}`;
  if (call.body !== undefined || call.rawBody !== undefined) headers["Content-Type"] ??= "application/json";
  const response = await worker.fetch(`http://localhost${path}`, {
    method,
    headers,
    body: call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body)),
  });
  return readResponse(response);
}

/** What tests look at in an answer: status, headers, the text, and the JSON when it is JSON. */
export async function readResponse(response: Response) {
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

export async function createKey(name = "app", scopes: string[] = ["chat"]): Promise<{ id: string; key: string }> {
  const res = await api("POST", "/api/v1/keys", { body: { name, scopes } });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.text}`);
  return res.json;
}

export const send = (body: Record<string, unknown>, key?: string) => api("POST", "/api/v1/chat/message", { body, key });

export const history = (sessionId: string, query = "", key?: string) => api("GET", `/api/v1/chat/history/${sessionId}${query ? `?${query}` : ""}`, { key });

/** Reads a whole session's history, page by page. */
export async function fullHistory(sessionId: string, key?: string) {
  const messages: any[] = [];
  for (let offset = 0; ; offset += 200) {
    const page = await history(sessionId, `limit=200&offset=${offset}`, key);
    if (page.status !== 200) throw new Error(page.text);
    messages.push(...page.json.messages);
    if (!page.json.has_more) return messages;
  }
}
