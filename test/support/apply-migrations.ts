import { applyD1Migrations } from "cloudflare:test";
import { env } from "./env";

// Storage is isolated per test file; each file starts from the migrated, seeded database.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
