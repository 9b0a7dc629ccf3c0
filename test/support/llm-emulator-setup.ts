import type { TestProject } from "vitest/node";
import { startLlmEmulator } from "../../tools/llm-emulator.ts";

declare module "vitest" {
  export interface ProvidedContext {
    llmBaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const emulator = await startLlmEmulator();
  project.provide("llmBaseUrl", emulator.url);
  return () => emulator.close();
}
