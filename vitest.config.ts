import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_COG_TOKEN, TEST_PUBLIC_BASE_URL, TEST_REPLICATE_TOKEN, TEST_WEBHOOK_SECRET } from "./test/support/gpu-constants.ts";

export default defineConfig({
  test: {
    // One JSON line per request (workers/middleware/access-log.ts) would drown the test output.
    onConsoleLog: (log) => !log.startsWith('{"level":"info","event":"request"'),
    projects: [
      {
        // Route and Durable Object tests, inside workerd, against the local LLM emulator.
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ADMIN_API_KEY: "test-admin-key",
                LLM_BASE_URL: inject<string>("llmBaseUrl"),
                LLM_MODEL: "emulator",
                LLM_TIMEOUT_MS: "1500",
                // High, so the suite's many admin calls are never limited; limit tests lower it per call
                // (test/support/app.ts) and use fresh identifiers.
                RATE_LIMIT_PER_MINUTE: "1000000",
                // Media: Replicate's API and Cog's, both from the local GPU emulator.
                REPLICATE_API_TOKEN: TEST_REPLICATE_TOKEN,
                REPLICATE_BASE_URL: `${inject<string>("gpuEmulatorUrl")}/v1`,
                REPLICATE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
                GPU_ENDPOINT_URL: inject<string>("gpuEmulatorUrl"),
                WEBHOOK_AUTH_TOKEN: TEST_COG_TOKEN,
                PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
                GPU_TIMEOUT_MS: "1500",
                GPU_RETRY_BASE_MS: "50",
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                // The Upstash REST adapter in front of a real redis-server (test/support/redis-setup.ts).
                TEST_UPSTASH_URL: inject<string>("upstashUrl"),
                TEST_UPSTASH_TOKEN: inject<string>("upstashToken"),
                TEST_UPSTASH_REDIS_DOWN_URL: inject<string>("upstashRedisDownUrl"),
                TEST_CLOSED_URL: inject<string>("closedUrl"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: [
            "./test/support/llm-emulator-setup.ts",
            "./test/support/redis-setup.ts",
            "./test/support/gpu-emulator-setup.ts",
            "./test/support/mp4-fixtures-setup.ts",
          ],
          setupFiles: ["./test/support/apply-migrations.ts"],
        },
      },
      {
        // The real `npm start` stack on a free port, driven over HTTP like the reference's SDKs.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./test/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
