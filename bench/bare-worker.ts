/**
 * Starts bench/bare/ with its own `wrangler dev` next to the project's stack: the same runtime and dev proxy,
 * none of the project's code, so the difference between the two is what the project adds.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../tools/free-port.ts";
import type { BarePath } from "./bare/worker.ts";

const SSE_PATH: BarePath = "/sse";

export interface BareWorker {
  baseUrl: string;
  sseUrl: string;
  pgid: number;
  stop(): Promise<void>;
}

export async function startBareWorker(): Promise<BareWorker> {
  const port = await freePort();
  const persistDir = mkdtempSync(join(tmpdir(), "chatacter-bare-"));
  const args = ["wrangler", "dev", "--config", "bench/bare/wrangler.toml", "--port", String(port), "--ip", "127.0.0.1"];
  args.push("--inspector-port", String(await freePort()), "--persist-to", persistDir);
  let output = "";
  const child = spawn("npx", args, { env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const pgid = child.pid!;
  const exited = new Promise((r) => child.once("exit", r));

  const stop = async () => {
    try {
      process.kill(-pgid, "SIGTERM");
      // workerd can outlive npx for a moment: wait for the whole group, then make sure.
      for (let waited = 0; waited < 5_000; waited += 100) {
        process.kill(-pgid, 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      process.kill(-pgid, "SIGKILL");
    } catch {
      // the group is gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    rmSync(persistDir, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(baseUrl)).ok) return { baseUrl, sseUrl: `${baseUrl}${SSE_PATH}`, pgid, stop };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the bare worker did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
