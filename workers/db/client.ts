import { drizzle } from "drizzle-orm/d1";

// Without the schema object: nothing here uses drizzle's relational queries, and with it every
// drizzle() call walks the whole schema for relations (a measurable share of a request's CPU).
const instances = new WeakMap<D1Database, Db>();

export function getDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1);
    instances.set(d1, db);
  }
  return db;
}
export type Db = ReturnType<typeof drizzle<Record<string, never>, D1Database>>;

/**
 * For reads that may lag the primary by a moment (statistics, cache misses): D1's Sessions API lets
 * them go to the nearest read replica when replication is on. Writes, keys and media jobs use getDb.
 */
export const getReplicaDb = (d1: D1Database): Db => drizzle(d1.withSession("first-unconstrained") as unknown as D1Database);
