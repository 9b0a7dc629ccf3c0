import { defineConfig } from "drizzle-kit";

// drizzle-kit's output folder is wrangler's migrations_dir: what drizzle generates is what wrangler applies.
export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/db/schema/index.ts",
  out: "./migrations",
});
