/**
 * `npm start`: applies the D1 migrations locally, starts the LLM emulator when no LLM is configured
 * and the GPU emulator when no GPU provider is (REPLICATE_API_TOKEN, GPU_ENDPOINT_URL), and runs `wrangler dev` on http://localhost:8000 (PORT overrides; PERSIST_DIR isolates local state).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { randomBytes } from "node:crypto";
import { startGpuEmulator } from "../gpu-jobs/emulator/server.ts";
import { ConfigError, parseConfig } from "../workers/config.ts";
import { startLlmEmulator } from "./llm-emulator.ts";

const port = process.env.PORT ?? "8000";
const persist = process.env.PERSIST_DIR ? ["--persist-to", process.env.PERSIST_DIR] : [];
// Two stacks on one machine (a test next to a running dev server) need distinct inspector ports.
const inspector = process.env.INSPECTOR_PORT ? ["--inspector-port", process.env.INSPECTOR_PORT] : [];
const devVars = existsSync(".dev.vars") ? parseEnv(readFileSync(".dev.vars", "utf8")) : undefined;
const configured = (name: string) => process.env[name] ?? devVars?.[name];
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_D1_WARNING: "true" };
const vars: string[] = [];
const banner: string[] = [];

// Every configuration name .dev.vars.example documents (commented or not) can also come from the
// environment, which wins over .dev.vars: that is how tests and benchmarks configure a stack.
const example = readFileSync(".dev.vars.example", "utf8");
const forwarded: Record<string, string> = {};
for (const [, name] of example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)) {
  if (process.env[name!] !== undefined) forwarded[name!] = process.env[name!]!;
}
// A wrong value stops here, naming the variable, rather than failing requests once the server is up.
try {
  parseConfig({ ...devVars, ...forwarded });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
if (!forwarded.ADMIN_API_KEY && !devVars) {
  forwarded.ADMIN_API_KEY = parseEnv(example).ADMIN_API_KEY!;
  banner.push(`No .dev.vars: using the development admin key ${forwarded.ADMIN_API_KEY}`);
}
let closeEmulator: (() => Promise<void>) | undefined;
if (!configured("LLM_BASE_URL")) {
  const emulator = await startLlmEmulator({ tokenDelayMs: Number(process.env.LLM_EMULATOR_TOKEN_DELAY_MS ?? 15) });
  closeEmulator = emulator.close;
  forwarded.LLM_BASE_URL = emulator.url;
  banner.push(`LLM_BASE_URL is unset: replies come from the local LLM EMULATOR at ${emulator.url}, not a real model`);
}

let closeGpuEmulator: (() => Promise<void>) | undefined;
if (!configured("PUBLIC_BASE_URL")) forwarded.PUBLIC_BASE_URL = `http://127.0.0.1:${port}`;
if (!configured("REPLICATE_API_TOKEN") && !configured("GPU_ENDPOINT_URL")) {
  // A fresh token and signing secret per run: the emulator signs its webhooks like Replicate, and
  // posts them to this Worker, so the whole media flow (webhooks included) runs locally.
  const apiToken = `r8_local_${randomBytes(12).toString("hex")}`;
  const webhookSecret = `whsec_${randomBytes(32).toString("base64")}`;
  const gpu = await startGpuEmulator({
    apiToken,
    webhookSecret,
    stepMs: Number(process.env.GPU_EMULATOR_STEP_MS ?? 300),
    deliver: true,
    log: (line) => console.log(`[gpu-emulator] ${line}`),
  });
  closeGpuEmulator = gpu.close;
  Object.assign(forwarded, { REPLICATE_API_TOKEN: apiToken, REPLICATE_BASE_URL: `${gpu.url}/v1`, REPLICATE_WEBHOOK_SECRET: webhookSecret });
  banner.push(
    `No GPU provider configured: voice and video come from the local GPU EMULATOR at ${gpu.url}`,
    "  (test tones and cartoon faces, not real speech or video; set REPLICATE_API_TOKEN or GPU_ENDPOINT_URL for real models)",
  );
}

// Secrets go through a private env file, never the command line (where `ps` shows them); wrangler
// shows env-file values as "(hidden)". An explicit --env-file replaces .dev.vars, so it is passed first.
const isSecret = (name: string) => /KEY|TOKEN|SECRET/.test(name);
let secretsDir: string | undefined;
const secrets = Object.entries(forwarded).filter(([name]) => isSecret(name));
if (secrets.length > 0) {
  secretsDir = mkdtempSync(join(tmpdir(), "chattr-dev-"));
  const file = join(secretsDir, "secrets.env");
  writeFileSync(file, `${secrets.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join("\n")}\n`, { mode: 0o600 });
  vars.push(...(devVars ? ["--env-file", ".dev.vars"] : []), "--env-file", file);
}
for (const [name, value] of Object.entries(forwarded)) if (!isSecret(name)) vars.push("--var", `${name}:${value}`);

const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...persist], {
  stdio: "inherit",
  env: wranglerEnv,
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const line = "=".repeat(78);
console.log([line, ...banner.map((b) => `  ${b}`), `  Chattr API: http://localhost:${port}`, line].join("\n"));

const dev = spawn("npx", ["wrangler", "dev", "--port", port, "--ip", "127.0.0.1", ...inspector, ...persist, ...vars], {
  stdio: "inherit",
  env: wranglerEnv,
});
const stop = () => dev.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", async (code) => {
  if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  await closeEmulator?.();
  await closeGpuEmulator?.();
  process.exit(code ?? 0);
});
