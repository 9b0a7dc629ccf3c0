/**
 * Which Replicate version a prediction runs. In order: the version the call or the configuration pins
 * (the call's own, REPLICATE_MODEL_VERSIONS, the catalogue's PINNED_VERSIONS); for an official model, its
 * name (the model route); else the model's latest version, resolved through GET /v1/models/{owner}/{name}.
 * A pin (or a name) Replicate refuses is resolved the same way and the create retried once with it; what
 * still fails ends as a ProviderError that names the model and the version, never retried.
 *
 * Resolutions are cached in this isolate's memory, per API base URL and model: an entry lives an hour
 * (RESOLVED_TTL_MS; then the pin is tried again, or the model resolved anew), a refused entry is dropped at
 * once, and there are at most MAX_ENTRIES (the oldest goes first). An entry that replaced a refused pin
 * stands in for that pin only: a pin configured since is tried first.
 */
import { CATALOGUE_MODELS, OFFICIAL_MODELS, PINNED_VERSIONS } from "./models";
import { ProviderError } from "./providers/types";

export type RunTarget = { version: string } | { model: string };

interface ResolvedVersion {
  model: string;
  version: string;
  /** The pin Replicate refused, when this version stands in for one. */
  replaces?: string;
  resolvedAt: string;
}

const RESOLVED_TTL_MS = 60 * 60_000;
const MAX_ENTRIES = 64;

const cache = new Map<string, ResolvedVersion & { at: number }>();
// Resolutions under way: concurrent jobs of one model (a reply's speech chunks) share one lookup.
const resolving = new Map<string, Promise<string>>();
const cacheKey = (api: string, model: string) => `${api} ${model}`;

function cachedFor(api: string, model: string, pin: string | undefined, now: number): ResolvedVersion | undefined {
  const entry = cache.get(cacheKey(api, model));
  if (!entry) return undefined;
  if (now - entry.at > RESOLVED_TTL_MS) {
    cache.delete(cacheKey(api, model));
    return undefined;
  }
  return entry.replaces === pin ? entry : undefined;
}

function remember(api: string, entry: ResolvedVersion, now: number): void {
  cache.delete(cacheKey(api, entry.model));
  cache.set(cacheKey(api, entry.model), { ...entry, at: now });
  for (const oldest of cache.keys()) {
    if (cache.size <= MAX_ENTRIES) break;
    cache.delete(oldest);
  }
}

/** A model as the next job would run it, for health: by which version, and why that one. */
export interface VersionInUse {
  model: string;
  /** null: by name (official), or not resolved yet (it will be on the first job). */
  version: string | null;
  source: "configured" | "pinned" | "resolved" | "official" | "unresolved";
  /** For a resolved version: the refused pin it stands in for, and when it was resolved. */
  replaces?: string;
  resolved_at?: string;
}

/** The catalogue's models, the configured ones and those resolved here, as this isolate would run them on `api`. */
export function versionsInUse(api: string, configured: Record<string, string> = {}, now = Date.now()): VersionInUse[] {
  const resolved = [...cache.keys()].filter((key) => key.startsWith(`${api} `)).map((key) => key.slice(api.length + 1));
  return [...new Set([...CATALOGUE_MODELS, ...Object.keys(configured), ...resolved])].map((model): VersionInUse => {
    const pin = configured[model] ?? PINNED_VERSIONS[model];
    const cached = cachedFor(api, model, pin, now);
    if (cached)
      return { model, version: cached.version, source: "resolved", ...(cached.replaces ? { replaces: cached.replaces } : {}), resolved_at: cached.resolvedAt };
    if (configured[model]) return { model, version: configured[model], source: "configured" };
    if (pin) return { model, version: pin, source: "pinned" };
    return { model, version: null, source: OFFICIAL_MODELS.has(model) ? "official" : "unresolved" };
  });
}

/** What one create needs from the provider: plain callbacks, so this file knows no HTTP client. */
export interface VersionedCreate<T> {
  /** The API's base URL: the cache is kept per API, so one endpoint's versions never stand in for another's. */
  api: string;
  model: string;
  /** The pinned version, if any: the call's own, REPLICATE_MODEL_VERSIONS' or the catalogue's. */
  pin: string | undefined;
  create(target: RunTarget): Promise<T>;
  /** The model's latest version id; throws a ProviderError when there is none. */
  latestVersion(): Promise<string>;
  /** How Replicate refused the version or the name (e.g. "HTTP 422: Invalid version or not permitted"), or undefined. */
  refusal(error: unknown): string | undefined;
  /** Any other failure of a create, as a ProviderError naming what was asked for (`model:version`, or the model). */
  wrap(error: unknown, asked: string): ProviderError;
  log(event: string, fields: Record<string, unknown>): void;
}

const asked = (model: string, target: RunTarget) => ("version" in target ? `${model}:${target.version}` : model);

/** Creates the prediction by the best version known, resolving and retrying once when Replicate refuses it. */
export async function createWithVersion<T>(run: VersionedCreate<T>, now = Date.now()): Promise<T> {
  const { api, model, pin } = run;
  const key = cacheKey(api, model);
  const resolve = (replaces: string | undefined): Promise<string> => {
    const lookup = `${key} ${replaces ?? ""}`;
    const pending =
      resolving.get(lookup) ??
      run
        .latestVersion()
        .then((version) => {
          remember(api, { model, version, ...(replaces ? { replaces } : {}), resolvedAt: new Date(now).toISOString() }, now);
          run.log("replicate_version_resolved", { model, version, replaces: replaces ?? null });
          return version;
        })
        .finally(() => resolving.delete(lookup));
    resolving.set(lookup, pending);
    return pending;
  };
  const attempt = async (target: RunTarget): Promise<{ ok: true; value: T } | { ok: false; refusal: string }> => {
    try {
      return { ok: true, value: await run.create(target) };
    } catch (error) {
      const refusal = run.refusal(error);
      if (refusal === undefined) throw run.wrap(error, asked(model, target));
      return { ok: false, refusal };
    }
  };
  const refused = (target: RunTarget, refusal: string, after = "") => {
    cache.delete(key);
    return new ProviderError(`Replicate refused ${asked(model, target)} (${refusal})${after}`, false);
  };

  const cached = cachedFor(api, model, pin, now);
  const first: RunTarget = cached
    ? { version: cached.version }
    : pin
      ? { version: pin }
      : OFFICIAL_MODELS.has(model)
        ? { model }
        : { version: await resolve(undefined) };
  const tried = await attempt(first);
  if (tried.ok) return tried.value;
  // A version resolved just now has nothing better behind it.
  if (!cached && !pin && !OFFICIAL_MODELS.has(model)) throw refused(first, tried.refusal);
  // A cached version that stopped working is forgotten whatever happens next.
  if (cached) cache.delete(key);
  run.log("replicate_version_refused", { model, asked: asked(model, first), refusal: tried.refusal });
  let latest: string;
  try {
    latest = await resolve(pin);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    throw new ProviderError(
      `Replicate refused ${asked(model, first)} (${tried.refusal}); resolving its latest version failed: ${error.message}`,
      error.retryable,
    );
  }
  if ("version" in first && latest === first.version) throw refused(first, tried.refusal, ", its latest version");
  const retried = await attempt({ version: latest });
  if (retried.ok) return retried.value;
  throw refused({ version: latest }, retried.refusal, `, after refusing ${asked(model, first)} (${tried.refusal})`);
}
