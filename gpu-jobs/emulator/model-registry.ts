/**
 * The emulator's models and their versions (model-schemas.ts), and how often each was looked up through
 * GET /v1/models/{owner}/{name}. Tests register more at POST /__emulator/models:
 * `{"model": "owner/name", "version": "<id>", "official"?: false, "like"?: "jaaari/kokoro-82m", "refused"?: false}`
 * adds a version (the model's latest from then on; `like` copies a known model's input schema, else any
 * input is accepted; `refused` makes creates with it answer 422, as a version one may not run does).
 * GET /__emulator/models/{owner}/{name} answers `{"reads": n, "versions": [...]}`.
 */
import { Hono } from "hono";
import { KNOWN_MODELS, type InputSchema, openApiSchema } from "./model-schemas.ts";

interface Version {
  id: string;
  created_at: string;
  /** undefined: any input. */
  input?: InputSchema;
  refused: boolean;
}

export interface EmulatedModel {
  owner: string;
  name: string;
  official: boolean;
  description: string;
  /** Oldest first: the last is latest_version. */
  versions: Version[];
}

export interface Registration {
  model: string;
  version: string;
  official?: boolean;
  like?: string;
  refused?: boolean;
}

const MODEL_NAME = /^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*$/;

export class ModelRegistry {
  private readonly models = new Map<string, EmulatedModel>();
  private readonly reads = new Map<string, number>();

  constructor() {
    for (const known of KNOWN_MODELS) this.register({ model: known.model, version: known.version, official: known.official, like: known.model });
  }

  /** Adds a version to a model (made if new); answers the model, or an error message. */
  register(registration: Registration): EmulatedModel | string {
    const { model, version } = registration;
    if (typeof model !== "string" || !MODEL_NAME.test(model)) return "model must be owner/name";
    if (typeof version !== "string" || !/^[a-z0-9]{1,64}$/.test(version)) return "version must be 1-64 lowercase letters and digits";
    const known = KNOWN_MODELS.find((k) => k.model === (registration.like ?? model));
    if (registration.like !== undefined && !known) return `like: no known model ${registration.like}`;
    const [owner, name] = model.split("/") as [string, string];
    const entry = this.models.get(model) ?? { owner, name, official: registration.official ?? false, description: known?.description ?? "", versions: [] };
    entry.versions = entry.versions.filter((v) => v.id !== version);
    entry.versions.push({ id: version, created_at: new Date().toISOString(), input: known?.input, refused: registration.refused ?? false });
    this.models.set(model, entry);
    return entry;
  }

  get(model: string): EmulatedModel | undefined {
    return this.models.get(model);
  }

  /** GET /v1/models/{owner}/{name}: counted, for tests that prove a lookup is cached. */
  read(model: string): EmulatedModel | undefined {
    this.reads.set(model, (this.reads.get(model) ?? 0) + 1);
    return this.models.get(model);
  }

  /** The model and version a create's `version` names: `owner/name:id`, a bare id, or an official model's `owner/name`. */
  forCreate(asked: string): { model: EmulatedModel; version: Version } | undefined {
    const [modelName, id] = asked.includes(":") ? (asked.split(":", 2) as [string, string]) : asked.includes("/") ? [asked, undefined] : [undefined, asked];
    if (id === undefined) {
      const model = modelName === undefined ? undefined : this.models.get(modelName);
      const latest = model?.official ? model.versions.at(-1) : undefined;
      return model && latest ? { model, version: latest } : undefined;
    }
    for (const model of this.models.values()) {
      if (modelName !== undefined && `${model.owner}/${model.name}` !== modelName) continue;
      const version = model.versions.find((v) => v.id === id);
      if (version) return { model, version };
    }
    return undefined;
  }

  /** A model as Replicate's models API shows it. */
  view(model: EmulatedModel) {
    const latest = model.versions.at(-1);
    return {
      url: `https://replicate.com/${model.owner}/${model.name}`,
      owner: model.owner,
      name: model.name,
      description: model.description,
      visibility: "public",
      github_url: null,
      paper_url: null,
      license_url: null,
      run_count: 0,
      cover_image_url: null,
      default_example: null,
      latest_version: latest
        ? { id: latest.id, created_at: latest.created_at, cog_version: "0.9.0", openapi_schema: latest.input ? openApiSchema(latest.input) : null }
        : null,
    };
  }

  /** Test hooks under /__emulator/models. */
  routes() {
    return new Hono()
      .post("/", async (c) => {
        const body = (await c.req.json().catch(() => ({}))) as Registration;
        const model = this.register(body);
        return typeof model === "string" ? c.json({ detail: model }, 400) : c.json(this.view(model), 201);
      })
      .get("/:owner/:name", (c) => {
        const model = `${c.req.param("owner")}/${c.req.param("name")}`;
        const entry = this.models.get(model);
        if (!entry) return c.json({ detail: "Not found" }, 404);
        return c.json({ model, reads: this.reads.get(model) ?? 0, versions: entry.versions.map(({ id, refused }) => ({ id, refused })) });
      });
  }
}
