/**
 * Seeds a user's memories straight into their memory object's SQLite file while the stack is stopped,
 * like seed-history.ts does for sessions: 100,000 memories through the API would cost 100,000 embeddings
 * calls and as many requests. Each row has what UserMemory writes: the memory, its normalized Float32
 * embedding (the LLM emulator's own function, so queries through the emulator find them), its 8-bit copy
 * (`quantize`, as `MemoryStore.setEmbedding`), and its FTS5 row under the same rowid.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { emulatedEmbedding } from "../tools/emulated-embeddings.ts";
import { quantize } from "../workers/durable-objects/user-memory/vector-index.ts";
import { normalize, toBlob } from "../workers/memory/search/vectors.ts";
import { seededMemory } from "./memory-corpus.ts";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The 12 base62 characters after the object's hex in a memory id (MemoryStore's are random; these count). */
function idSuffix(n: number): string {
  let out = "";
  for (let rest = n; out.length < 12; rest = Math.floor(rest / 62)) out = BASE62[rest % 62] + out;
  return out;
}

/** A memory id is `mem_` + the object's id in hex (workers/memory/scope.ts): the object's file bears that hex as its name. */
export const objectHexOfMemory = (memoryId: string) => memoryId.slice(4, 68);

/** The SQLite file of the memory object whose id is `objectHex`. */
export function memoryFile(persistDir: string, objectHex: string): string {
  const file = join(persistDir, "v3", "do", "chatacter-UserMemory", `${objectHex}.sqlite`);
  if (!existsSync(file)) throw new Error(`no memory object file ${file}`);
  return file;
}

/** The file's bytes with its write-ahead log, if any. */
export const sqliteBytes = (file: string) => statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

export interface SeededMemories {
  file: string;
  count: number;
  seconds: number;
  /** Bytes per memory by what holds them (dbstat), right after seeding. */
  bytesPerMemory: { rows: number; vectors: number; fts: number; indexes: number; other: number };
}

/** Adds memories to the object's file until it holds `total`; four in five are facts, one a kept message. */
export function seedMemories(file: string, objectHex: string, total: number): SeededMemories {
  const started = performance.now();
  const db = new DatabaseSync(file);
  try {
    const { existing } = db.prepare("SELECT COUNT(*) AS existing FROM memories").get() as { existing: number };
    const insert = db.prepare(
      `INSERT INTO memories (id, kind, content, session_id, source_ids, anchor_id, role, active, qvec, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    const exact = db.prepare("INSERT INTO memory_embeddings (rowid, embedding) VALUES (?, ?)");
    const text = db.prepare("INSERT INTO memory_text (rowid, content) VALUES (?, ?)");
    // A year of conversations, oldest first (rowid order is the store's "newest first").
    const firstAt = Date.now() - 365 * 86_400_000;
    const step = (365 * 86_400_000) / total;
    db.exec("BEGIN");
    for (let i = existing; i < total; i++) {
      const { kind, content } = seededMemory(i);
      const vector = normalize(Float32Array.from(emulatedEmbedding(content)));
      const session = `bench-memory-chat-${Math.floor(i / 200)}`;
      const messageId = `msg_seedmem${i}`;
      const at = new Date(firstAt + i * step).toISOString();
      const message = kind === "message";
      const sources = JSON.stringify(message ? [messageId] : [`msg_seedmem${i}u`, messageId]);
      const { lastInsertRowid } = insert.run(
        `mem_${objectHex}${idSuffix(i)}`,
        kind,
        content,
        session,
        sources,
        message ? messageId : null,
        message ? (i % 2 === 0 ? "user" : "assistant") : null,
        quantize(vector),
        at,
        at,
      );
      text.run(lastInsertRowid, content);
      exact.run(lastInsertRowid, toBlob(vector));
    }
    db.exec("COMMIT");
    return { file, count: total, seconds: (performance.now() - started) / 1000, bytesPerMemory: breakdown(db, total) };
  } finally {
    db.close();
  }
}

/** Where the bytes are: the memories table (8-bit vectors inline), the exact vectors, its indexes, the FTS5 tables, the rest. */
function breakdown(db: DatabaseSync, count: number): SeededMemories["bytesPerMemory"] {
  const pages = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name").all() as { name: string; bytes: number }[];
  const sum = (match: (name: string) => boolean) => pages.filter((p) => match(p.name)).reduce((s, p) => s + p.bytes, 0) / count;
  const rows = sum((n) => n === "memories");
  const vectors = sum((n) => n === "memory_embeddings");
  const fts = sum((n) => n.startsWith("memory_text"));
  const indexes = sum((n) => n.startsWith("memories_") || n.startsWith("sqlite_autoindex_memories"));
  return { rows, vectors, fts, indexes, other: sum(() => true) - rows - vectors - fts - indexes };
}
