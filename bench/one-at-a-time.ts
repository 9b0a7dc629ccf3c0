/**
 * Latency with no concurrency: one request in flight, its body read to the end before the next. Probes
 * take turns in blocks, so a machine that gets busier during the run slows all alike.
 */
export const epochMs = () => performance.timeOrigin + performance.now();

/** A request whose answer must be 2xx; ms to its last byte. */
export async function timeRequest(url: string, init?: RequestInit): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, init);
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${Buffer.from(body).toString()}`);
  return performance.now() - started;
}

/**
 * Sends `init` to an SSE endpoint; answers when it was sent and when the first `response_chunk` event had
 * fully arrived (epoch ms, comparable with other processes' `epochMs`). Reads the stream to its end.
 */
export async function firstChunk(url: string, init?: RequestInit): Promise<{ sent: number; first: number }> {
  const sent = epochMs();
  const res = await fetch(url, init);
  if (!res.ok || !res.body) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let text = "";
  let first: number | undefined;
  for await (const bytes of res.body) {
    text += decoder.decode(bytes, { stream: true });
    const at = text.indexOf("event: response_chunk");
    if (first === undefined && at >= 0 && text.indexOf("\n\n", at) >= 0) first = epochMs();
  }
  if (first === undefined) throw new Error(`${url}: no response_chunk event in\n${text.slice(0, 2000)}`);
  return { sent, first };
}

export const firstChunkMs = async (url: string, init?: RequestInit) => {
  const { sent, first } = await firstChunk(url, init);
  return first - sent;
};

/**
 * `samples` answers of every probe, in rounds: each round runs a block of `block` requests of each probe
 * back to back, after a pause that lets the previous block's trailing work (logs, waitUntil writes) end,
 * so no probe is timed on another's leftovers. One warm-up request per probe first.
 */
export async function inTurns<P extends Record<string, () => Promise<unknown>>>(
  probes: P,
  samples: number,
  block = 20,
): Promise<{ [K in keyof P]: Awaited<ReturnType<P[K]>>[] }> {
  const names = Object.keys(probes) as (keyof P)[];
  for (const name of names) await probes[name]!();
  const answers = Object.fromEntries(names.map((n) => [n, [] as unknown[]])) as Record<keyof P, unknown[]>;
  while (answers[names[0]!].length < samples) {
    for (const name of names) {
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < block && answers[name].length < samples; i++) answers[name].push(await probes[name]!());
    }
  }
  return answers as { [K in keyof P]: Awaited<ReturnType<P[K]>>[] };
}
