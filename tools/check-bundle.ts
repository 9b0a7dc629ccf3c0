/**
 * Builds the Worker exactly as `wrangler deploy` would (--dry-run needs no account) and fails if the
 * gzipped bundle is over the Workers free-plan limit of 3 MiB.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const LIMIT_BYTES = 3 * 1024 * 1024;
const outdir = mkdtempSync(join(tmpdir(), "chatacter-bundle-"));
const build = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
if (build.status !== 0) process.exit(build.status ?? 1);

// Every module counts: the script, WebAssembly, and Data modules (the seed avatars' PNGs).
const modules = readdirSync(outdir).filter((f) => !f.endsWith(".map") && f !== "README.md");
const raw = modules.reduce((sum, f) => sum + readFileSync(join(outdir, f)).length, 0);
const gzipped = modules.reduce((sum, f) => sum + gzipSync(readFileSync(join(outdir, f))).length, 0);
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`bundle: ${kib(raw)} raw, ${kib(gzipped)} gzipped (limit ${kib(LIMIT_BYTES)} gzipped)`);
if (gzipped > LIMIT_BYTES) {
  console.error("bundle is over the Workers size limit");
  process.exit(1);
}
