import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../workers/config";
import { api } from "../support/api";
import { callWith } from "../support/app";

describe("configuration", () => {
  it("gives every default when nothing is set, and reads an empty variable as unset", () => {
    const config = parseConfig({ LLM_TIMEOUT_MS: "", PUBLIC_BASE_URL: " " });
    expect(config.llm).toEqual({ baseUrl: undefined, apiKey: undefined, model: undefined, timeoutMs: 30_000, contextTokens: 8192 });
    expect(config.rateLimit).toEqual({ perMinute: 120, upstash: undefined });
    expect(config.media).toMatchObject({ replicate: undefined, cog: undefined, timeoutMs: 15_000, retryBaseMs: 1000 });
    expect(config.publicBaseUrl).toBe("http://localhost:8000");
    expect(config.corsOrigins).toEqual([]);
  });

  it("parses what is set: numbers, URLs without their trailing slash, origins and pinned versions", () => {
    const config = parseConfig({
      RATE_LIMIT_PER_MINUTE: "0",
      PUBLIC_BASE_URL: "https://api.example.com/",
      CORS_ORIGINS: "https://a.example, https://b.example",
      REPLICATE_API_TOKEN: "r8_x",
      REPLICATE_MODEL_VERSIONS: '{"jaaari/kokoro-82m":"abc"}',
      UPSTASH_REDIS_REST_URL: "https://redis.example",
      UPSTASH_REDIS_REST_TOKEN: "t",
    });
    expect(config.rateLimit).toEqual({ perMinute: 0, upstash: { url: "https://redis.example", token: "t" } });
    expect(config.publicBaseUrl).toBe("https://api.example.com");
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(config.media.replicate?.versions).toEqual({ "jaaari/kokoro-82m": "abc" });
    expect(parseConfig({ CORS_ORIGINS: "https://a.example,*" }).corsOrigins).toBe("*");
  });

  it("refuses wrong values with one message naming each variable, never its value", () => {
    const wrong = {
      LLM_TIMEOUT_MS: "soon",
      RATE_LIMIT_PER_MINUTE: "-5",
      LLM_BASE_URL: "ftp://secret-host",
      MEDIA_PROVIDER: "gpu",
      REPLICATE_MODEL_VERSIONS: "not json",
    };
    let error: unknown;
    try {
      parseConfig(wrong);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of Object.keys(wrong)) expect(message).toContain(name);
    expect(message).not.toContain("secret-host");
    expect(message).not.toContain("soon");
  });

  it("answers every request with the message while a variable is wrong", async () => {
    const res = await callWith({ LLM_TIMEOUT_MS: "soon" } as never, "GET", "/api/v1/characters");
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe("INTERNAL_ERROR");
    expect(res.json.error.message).toMatch(/^Invalid configuration: LLM_TIMEOUT_MS/);
    expect((await api("GET", "/api/v1/characters")).status).toBe(200);
  });
});
