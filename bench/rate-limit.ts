/**
 * `npm run bench`: requests/s of one plain authenticated route (GET /api/v1/characters, a D1 read, with
 * an ordinary `chat` key) served by `npm start` on loopback, three times in one run: with no limiter
 * (RATE_LIMIT_PER_MINUTE=0), with the embedded Durable Object limiter, and with the Upstash limiter
 * (through tools/upstash-rest to a local redis-server). The limit is set far above the load, so every request is counted and none
 * is refused: the difference is the limiter's cost. The three stacks run side by side and are measured
 * in turns (A B C, A B C, ...), so a machine that gets busier during the run does not favour one of them.
 * Prints a table and the ratios. BENCH_ROUNDS (3) rounds of BENCH_SECONDS (5) per variant,
 * BENCH_CONNECTIONS (10).
 */
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../tools/free-port.ts";
import { startRedisServer } from "../tools/upstash-rest/redis-server.ts";
import { startUpstashRest } from "../tools/upstash-rest/server.ts";
import { createChatKey } from "./fixtures.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ADMIN_KEY = "bench-admin-key";
const PATH = "/api/v1/characters";
const HIGH_LIMIT = "1000000000";

interface Variant {
  name: string;
  env: Record<string, string>;
  /** What /health must report, so a misconfigured stack cannot pass for the variant it claims to be. */
  store: "off" | "durable-object" | "upstash";
}

interface Outcome {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function waitFor(url: string, timeoutMs: number, child: ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Stops a stack and everything it started (npx, wrangler, workerd): it runs in its own process group. */
async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  group("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  group("SIGKILL");
}

interface Running {
  variant: Variant;
  url: string;
  key: string;
  child: ChildProcess;
  persist: string;
}

async function launch(variant: Variant): Promise<Running> {
  const port = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "chattr-bench-"));
  const child = spawn(process.execPath, ["tools/dev.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      PERSIST_DIR: persist,
      INSPECTOR_PORT: String(await freePort()),
      ADMIN_API_KEY: ADMIN_KEY,
      ...variant.env,
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}${PATH}`;
  try {
    await waitFor(url, 120_000, child);
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json()) as {
      details: { rate_limit_store: string };
      services: { redis: string };
    };
    const redisOk = variant.store !== "upstash" || health.services.redis === "healthy";
    if (health.details.rate_limit_store !== variant.store || !redisOk) throw new Error(`"${variant.name}" is not what it claims: ${JSON.stringify(health)}`);
    return { variant, url, child, persist, key: await createChatKey(`http://127.0.0.1:${port}`, ADMIN_KEY) };
  } catch (error) {
    // Not yet in `running`: nothing else would stop it.
    await stop(child);
    rmSync(persist, { recursive: true, force: true });
    throw error;
  }
}

const request = (r: Running) => ({ url: r.url, headers: { Authorization: `Bearer ${r.key}` }, connections: CONNECTIONS });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const redis = await startRedisServer();
const token = "bench-upstash-token";
const rest = await startUpstashRest({ redisPort: redis.port, token });
const variants: Variant[] = [
  { name: "no limiter", store: "off", env: { RATE_LIMIT_PER_MINUTE: "0" } },
  { name: "fallback (Durable Object)", store: "durable-object", env: { RATE_LIMIT_PER_MINUTE: HIGH_LIMIT } },
  {
    name: "Upstash (REST adapter + redis-server)",
    store: "upstash",
    env: { RATE_LIMIT_PER_MINUTE: HIGH_LIMIT, UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: token },
  },
];

const running: Running[] = [];
const rounds = new Map<string, autocannon.Result[]>(variants.map((v) => [v.name, []]));
try {
  for (const variant of variants) {
    console.error(`bench: starting npm start for "${variant.name}"`);
    running.push(await launch(variant));
  }
  for (const r of running) await autocannon({ ...request(r), duration: 2 }); // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    for (const r of running) {
      console.error(`bench: round ${round}/${ROUNDS}, ${r.variant.name}`);
      rounds.get(r.variant.name)!.push(await autocannon({ ...request(r), duration: SECONDS }));
    }
  }
} finally {
  for (const r of running) {
    await stop(r.child);
    rmSync(r.persist, { recursive: true, force: true });
  }
  await rest.close();
  await redis.stop();
}

const outcomes: Outcome[] = variants.map((v) => {
  const results = rounds.get(v.name)!;
  return {
    name: v.name,
    requestsPerSecond: median(results.map((r) => r.requests.average)),
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
});

const base = outcomes[0]!.requestsPerSecond;
const lines = [
  `## Rate limiter cost\n`,
  `GET ${PATH} on npm start (loopback), median of ${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections, three stacks measured in turns.\n`,
  "| variant | req/s | ratio to no limiter | p50 ms | p99 ms | non-2xx | errors |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...outcomes.map(
    (o) => `| ${o.name} | ${o.requestsPerSecond.toFixed(1)} | ${(o.requestsPerSecond / base).toFixed(2)} | ${o.p50} | ${o.p99} | ${o.non2xx} | ${o.errors} |`,
  ),
];
const failed = outcomes.some((o) => o.non2xx > 0 || o.errors > 0);
if (failed) lines.push("\nSome requests failed: the figures above are not comparable.");
console.log(`\n${lines.join("\n")}`);
// `npm run bench` writes bench/RESULTS.md (bench/index.ts) just before this runs: add this table to it.
appendFileSync("bench/RESULTS.md", `\n${lines.join("\n")}\n`);
process.exit(failed ? 1 : 0);
