import autocannon from "autocannon";
import { median } from "./support.ts";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: (i: number) => string;
  connections: number;
  seconds: number;
}

/** A fixed-duration autocannon run against one route on loopback. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let i = 0;
  const result = await autocannon({
    url: options.url,
    method: options.method ?? "GET",
    headers: options.headers,
    connections: options.connections,
    duration: options.seconds,
    requests: options.body ? [{ setupRequest: (req) => ({ ...req, body: options.body!(i++) }) }] : undefined,
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

/**
 * Each route once per round, `rounds` times (so a machine that gets busier during the run slows all alike);
 * per route the median round by req/s, with the failures of every round added up.
 */
export async function loadRounds<K extends string>(routes: Record<K, LoadOptions>, rounds: number): Promise<Record<K, LoadResult>> {
  const names = Object.keys(routes) as K[];
  const runs = Object.fromEntries(names.map((n) => [n, [] as LoadResult[]])) as Record<K, LoadResult[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) runs[name].push(await load(routes[name]));
  }
  const pick = (results: LoadResult[]): LoadResult => {
    const middle = results.find((r) => r.rps === median(results.map((x) => x.rps)))!;
    return { ...middle, errors: results.reduce((n, r) => n + r.errors, 0), non2xx: results.reduce((n, r) => n + r.non2xx, 0) };
  };
  return Object.fromEntries(names.map((n) => [n, pick(runs[n])])) as Record<K, LoadResult>;
}
