/**
 * The two stacks every benchmark runs against, side by side: the project's (`npm start` on free ports, a
 * throw-away state folder) and the bare Worker's. Makes the chat key and the characters, and the sessions
 * whose long histories (and the users whose memories) are seeded while the project's stack is stopped
 * (100,000 turns through the API would take the better part of an hour). Every stack is stopped by
 * stopAll (bench/cleanup.ts).
 */
import { rmSync } from "node:fs";
import { startStack, type Stack } from "../tools/stack.ts";
import { startBareWorker, type BareWorker } from "./bare-worker.ts";
import { stopOnExit } from "./cleanup.ts";
import type { Client } from "./client.ts";
import { createCharacters, createChatKey, TEXT_CHARACTER, turn } from "./fixtures.ts";
import { createMemoryUsers, seedMemoryUsers, startMemoryOffStack, type MemoryOffStack, type SeededMemoryUser } from "./memory-setup.ts";
import { seedHistory } from "./seed-history.ts";

// Instant LLM, no rate limiting: the figures are the API's own.
export const STACK_ENV = { LLM_EMULATOR_TOKEN_DELAY_MS: "0", RATE_LIMIT_PER_MINUTE: "0" };

export const historySession = (size: number) => `bench-history-${size}`;

function trackStack(stack: Stack) {
  return stopOnExit(async () => {
    await stack.stop();
    // stop() leaves the folder when the group had already gone.
    rmSync(stack.persistDir, { recursive: true, force: true });
  });
}

/**
 * `historySizes` seeds `historySession(size)` for each size; `otherSessions` (session id to size) are
 * seeded alike, for rows that change their session's history. `memorySizes` seeds a user's memories for
 * each size (bench/memory-setup.ts), and then a stack with memory off starts beside the restarted one.
 */
export async function startBenchStacks(
  historySizes: number[] = [],
  otherSessions: Record<string, number> = {},
  memorySizes: number[] = [],
): Promise<{ bare: BareWorker; stack: Stack; client: Client; memory?: { users: SeededMemoryUser[]; off: MemoryOffStack } }> {
  const [bare, first] = await Promise.allSettled([startBareWorker(), startStack(STACK_ENV)]);
  if (bare.status === "fulfilled") stopOnExit(bare.value.stop);
  const untrack = first.status === "fulfilled" ? trackStack(first.value) : undefined;
  if (bare.status === "rejected") throw bare.reason;
  if (first.status === "rejected") throw first.reason;
  let stack = first.value;

  const client = { baseUrl: stack.baseUrl, key: await createChatKey(stack.baseUrl, stack.adminKey) };
  await createCharacters(stack.baseUrl, stack.adminKey);
  const seeded = [...historySizes.map((size) => [historySession(size), size] as const), ...Object.entries(otherSessions)];
  if (seeded.length === 0 && memorySizes.length === 0) return { bare: bare.value, stack, client };

  for (const [sessionId] of seeded) await turn(client, TEXT_CHARACTER, sessionId, "start");
  const memoryUsers = await createMemoryUsers(client, memorySizes);
  await stack.stop({ keepState: true });
  untrack!();
  const { persistDir } = stack;
  // Seeding or the restart may throw: the folder goes all the same.
  const untrackFolder = stopOnExit(async () => rmSync(persistDir, { recursive: true, force: true }));
  for (const [sessionId, size] of seeded) seedHistory(persistDir, sessionId, size);
  const users = seedMemoryUsers(persistDir, memoryUsers);
  const [restarted, off] = await Promise.allSettled([
    startStack(STACK_ENV, { persistDir }),
    memorySizes.length > 0 ? startMemoryOffStack(STACK_ENV) : undefined,
  ]);
  if (restarted.status === "rejected") throw restarted.reason;
  stack = restarted.value;
  untrackFolder();
  trackStack(stack);
  if (off.status === "rejected") throw off.reason;
  const memory = off.value && { users, off: off.value };
  return { bare: bare.value, stack, client: { ...client, baseUrl: stack.baseUrl }, ...(memory ? { memory } : {}) };
}
