import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("npm start with a wrong variable", () => {
  it("stops before serving, naming the variable and not its value", () => {
    const run = spawnSync(process.execPath, ["tools/dev.ts"], {
      env: { ...process.env, LLM_TIMEOUT_MS: "soon", LLM_BASE_URL: "ftp://secret-host.example", PORT: "0" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Invalid configuration: ");
    expect(run.stderr).toContain("LLM_TIMEOUT_MS");
    expect(run.stderr).toContain("LLM_BASE_URL");
    expect(run.stderr).not.toContain("secret-host");
    expect(run.stdout).not.toContain("Chattr API:");
  });
});
