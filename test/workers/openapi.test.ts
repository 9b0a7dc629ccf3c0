import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app";
import { api } from "../support/api";

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");
const NOT_OPERATIONS = new Set(["/docs", "/api/v1/openapi.json", "/ping"]);

describe("OpenAPI document", () => {
  it("is served without a key, as OpenAPI 3.1", async () => {
    const res = await api("GET", "/api/v1/openapi.json", { key: null });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    expect(res.json.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents every route the app serves", async () => {
    const doc = (await api("GET", "/api/v1/openapi.json", { key: null })).json;
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL" && !NOT_OPERATIONS.has(r.path))
      .map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.path)}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(served.length).toBeGreaterThan(10);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it("carries the reference's examples, each valid against the schema it documents", () => {
    let checked = 0;
    for (const definition of createApp().openAPIRegistry.definitions) {
      if (definition.type !== "route") continue;
      const { route } = definition;
      const contents = [
        ...Object.values((route.request?.body as any)?.content ?? {}),
        ...Object.values(route.responses).flatMap((r: any) => Object.values(r.content ?? {})),
      ] as { schema?: { safeParse?: (v: unknown) => { success: boolean; error?: unknown } }; example?: unknown }[];
      for (const content of contents) {
        if (content.example === undefined || !content.schema?.safeParse) continue;
        const result = content.schema.safeParse(content.example);
        expect(result.success, `${route.method} ${route.path}: ${JSON.stringify(result.error)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it("serves interactive docs that load their viewer from this Worker", async () => {
    const res = await api("GET", "/docs", { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(res.text).toContain("/vendor/scalar-api-reference.js");
    expect(res.text).toContain("/api/v1/openapi.json");
  });
});
