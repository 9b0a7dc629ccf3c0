/** The GPU emulator's model registry, from tests: extra models and versions, and how often one was looked up. */
import { vi } from "vitest";
import { env } from "./env";
import { TEST_REPLICATE_TOKEN } from "./gpu-constants";

/** A model name no other test (or test file, sharing the emulator) uses. */
export const uniqueModel = (prefix: string) => `chattr-test/${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** Adds a version to a model in the emulator (its latest from then on); see gpu-jobs/emulator/model-registry.ts. */
export async function registerModel(registration: { model: string; version: string; official?: boolean; like?: string; refused?: boolean }) {
  const res = await fetch(`${env.GPU_ENDPOINT_URL}/__emulator/models`, { method: "POST", body: JSON.stringify(registration) });
  if (res.status !== 201) throw new Error(`registering ${registration.model}: ${res.status} ${await res.text()}`);
}

/** How many times GET /v1/models/{owner}/{name} was asked for `model`. */
export async function modelReads(model: string): Promise<number> {
  const res = await fetch(`${env.GPU_ENDPOINT_URL}/__emulator/models/${model}`);
  return ((await res.json()) as { reads: number }).reads;
}

/** Calls the emulator's Replicate API as a client would. */
export async function replicateApi(method: string, path: string, body?: unknown) {
  const res = await fetch(`${env.REPLICATE_BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_REPLICATE_TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

export interface SeenRequest {
  method: string;
  url: string;
  body?: any;
}

/** Records every outbound fetch (the Replicate client's included) while still sending it. */
export function recordFetches(): SeenRequest[] {
  const seen: SeenRequest[] = [];
  const send = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    let body: unknown;
    try {
      body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    } catch {
      body = init?.body;
    }
    seen.push({ method: init?.method ?? (input instanceof Request ? input.method : "GET"), url, body });
    return send(input, init);
  });
  return seen;
}
