import type { TestProject } from "vitest/node";
import { startGpuEmulator } from "../../gpu-jobs/emulator/server.ts";
import { TEST_COG_TOKEN, TEST_REPLICATE_TOKEN, TEST_WEBHOOK_SECRET } from "./gpu-constants.ts";

declare module "vitest" {
  export interface ProvidedContext {
    gpuEmulatorUrl: string;
  }
}

// Webhooks are not delivered: inside workerd no Worker listens on a port, so the tests read the
// emulator's outbox and hand each signed request to the Worker (test/support/media.ts).
export default async function setup(project: TestProject) {
  const emulator = await startGpuEmulator({
    apiToken: TEST_REPLICATE_TOKEN,
    webhookSecret: TEST_WEBHOOK_SECRET,
    cogWebhookToken: TEST_COG_TOKEN,
    stepMs: 80,
    deliver: false,
  });
  project.provide("gpuEmulatorUrl", emulator.url);
  return () => emulator.close();
}
