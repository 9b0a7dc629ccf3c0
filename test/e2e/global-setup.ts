import type { TestProject } from "vitest/node";
import { startStack } from "../../tools/stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stackUrl: string;
    stackAdminKey: string;
    stackOutput: string;
  }
}

/** One `npm start` for all end-to-end files: starting wrangler costs seconds. */
export default async function setup(project: TestProject) {
  // A limit the suite's own traffic stays under, low enough for the flood test to reach.
  const stack = await startStack({ LLM_EMULATOR_TOKEN_DELAY_MS: "5", RATE_LIMIT_PER_MINUTE: "300" });
  project.provide("stackUrl", stack.baseUrl);
  project.provide("stackAdminKey", stack.adminKey);
  project.provide("stackOutput", stack.output());
  return () => stack.stop();
}
