/** Requests to the project as one API key sends them. */
export interface Client {
  baseUrl: string;
  key: string;
}

export const authHeaders = (key: string) => ({ Authorization: `Bearer ${key}`, "Content-Type": "application/json" });

/** A JSON call that must succeed: a benchmark measuring error answers would measure nothing. */
export async function call(client: Client, method: "GET" | "POST", path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${client.baseUrl}${path}`, {
    method,
    headers: authHeaders(client.key),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
