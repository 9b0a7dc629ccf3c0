import type { Stack } from "../../tools/stack.ts";
import type { BareWorker } from "../bare-worker.ts";
import { authHeaders, type Client } from "../client.ts";
import { historySession } from "../setup.ts";

/** What every group of rows measures against: both stacks and the chat key. */
export interface BenchContext {
  bare: BareWorker;
  stack: Stack;
  client: Client;
  headers: Record<string, string>;
  api(path: string): string;
  /** A history page of 50 from the middle of a seeded session. */
  historyPage(size: number): string;
}

export function benchContext(bare: BareWorker, stack: Stack, client: Client): BenchContext {
  const api = (path: string) => `${client.baseUrl}${path}`;
  return {
    bare,
    stack,
    client,
    headers: authHeaders(client.key),
    api,
    historyPage: (size) => api(`/api/v1/chat/history/${historySession(size)}?limit=50&offset=${Math.floor(size / 2)}`),
  };
}
