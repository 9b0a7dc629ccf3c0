import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export const getDb = (d1: D1Database) => drizzle(d1, { schema });
export type Db = ReturnType<typeof getDb>;

/**
 * For reads that may lag the primary by a moment (statistics, cache misses): D1's Sessions API lets
 * them go to the nearest read replica when replication is on. Writes, keys and media jobs use getDb.
 */
export const getReplicaDb = (d1: D1Database): Db => drizzle(d1.withSession("first-unconstrained") as unknown as D1Database, { schema });
