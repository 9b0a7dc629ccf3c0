/**
 * The memory rows' users and stacks: one user per size, whose memory object the API makes (one
 * POST /api/v1/memories, a pinned fact) and the seeding fills while the stack is stopped; and a second
 * project stack with memory off, to time the same turns without memory next to the stack that has it.
 */
import { startStack, type Stack } from "../tools/stack.ts";
import { stopOnExit } from "./cleanup.ts";
import { call, type Client } from "./client.ts";
import { createCharacters, createChatKey, TEXT_CHARACTER } from "./fixtures.ts";
import { memoryFile, objectHexOfMemory, seedMemories, type SeededMemories } from "./seed-memories.ts";

const memoryUser = (size: number) => `bench-memory-${size}`;

export interface MemoryUser {
  size: number;
  userId: string;
  objectHex: string;
}

export interface SeededMemoryUser extends MemoryUser {
  seeded: SeededMemories;
}

/** Makes each user's memory object through the API, under the bench's chat key; the stack is up. */
export async function createMemoryUsers(client: Client, sizes: number[]): Promise<MemoryUser[]> {
  const users: MemoryUser[] = [];
  for (const size of sizes) {
    const userId = memoryUser(size);
    const created = await call(client, "POST", "/api/v1/memories", { character_id: TEXT_CHARACTER, user_id: userId, content: "My name is Sam." });
    users.push({ size, userId, objectHex: objectHexOfMemory(created.id) });
  }
  return users;
}

/** Fills each user's object to its size; the stack is stopped. */
export function seedMemoryUsers(persistDir: string, users: MemoryUser[]): SeededMemoryUser[] {
  return users.map((user) => {
    const seeded = seedMemories(memoryFile(persistDir, user.objectHex), user.objectHex, user.size);
    console.error(`bench: seeded ${user.size} memories in ${seeded.seconds.toFixed(1)} s`);
    return { ...user, seeded };
  });
}

export interface MemoryOffStack {
  stack: Stack;
  client: Client;
  stop(): Promise<void>;
}

/**
 * A project stack with `MEMORY=off`, its own chat key and characters. `npm start` forwards only the
 * variables .dev.vars.example names, and MEMORY is not among them: wrangler's CLOUDFLARE_INCLUDE_PROCESS_ENV
 * hands the process environment (MEMORY with it) to the Worker instead. The memory rows check that it
 * took (the stack's LLM emulator must see no embeddings request).
 */
export async function startMemoryOffStack(env: Record<string, string>): Promise<MemoryOffStack> {
  const stack = await startStack({ ...env, MEMORY: "off", CLOUDFLARE_INCLUDE_PROCESS_ENV: "true" });
  const untrack = stopOnExit(() => stack.stop());
  const client = { baseUrl: stack.baseUrl, key: await createChatKey(stack.baseUrl, stack.adminKey) };
  await createCharacters(stack.baseUrl, stack.adminKey);
  return {
    stack,
    client,
    async stop() {
      untrack();
      await stack.stop();
    },
  };
}
