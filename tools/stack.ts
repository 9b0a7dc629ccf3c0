import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

export interface Stack {
  baseUrl: string;
  persistDir: string;
  /** The Worker's DevTools inspector (CPU profiles: bench/profile-cpu.ts). */
  inspectorPort: number;
  /** The process group of `npm start`: wrangler and workerd run inside it. */
  pgid: number;
  adminKey: string;
  output: () => string;
  /** Stops the whole process group; the local state is deleted unless `keepState`. */
  stop(options?: { keepState?: boolean }): Promise<void>;
}

/** Runs `npm start` as a newcomer would, on free ports and a throw-away state folder (tests and benchmarks). */
export async function startStack(env: Record<string, string> = {}, { persistDir = mkdtempSync(join(tmpdir(), "chatacter-stack-")) } = {}): Promise<Stack> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const adminKey = "chk_e2e_admin_key";
  let output = "";
  const child: ChildProcess = spawn("npm", ["start"], {
    env: { ...process.env, PORT: String(port), INSPECTOR_PORT: String(inspectorPort), PERSIST_DIR: persistDir, ADMIN_API_KEY: adminKey, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/api/v1/characters`, { headers: { Authorization: `Bearer ${adminKey}` } });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    baseUrl,
    persistDir,
    inspectorPort,
    pgid: child.pid!,
    adminKey,
    output: () => output,
    async stop({ keepState = false } = {}) {
      // The whole process group: npm, the orchestrator, wrangler and workerd.
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        return;
      }
      await new Promise((r) => child.once("exit", r).once("error", r));
      // workerd may outlive npm for a moment; wait until the group is gone so its state can be reused.
      const pgid = child.pid!;
      for (let waited = 0; waited < 10_000; waited += 100) {
        try {
          process.kill(-pgid, 0);
        } catch {
          break;
        }
        if (waited === 5_000) process.kill(-pgid, "SIGKILL");
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!keepState) rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
