import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["./test/support/llm-emulator-setup.ts"],
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
