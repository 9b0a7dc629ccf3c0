import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../api-error";
import type { LorebookContent } from "../../db/lorebooks";
import type { AppEnv } from "../../env";
import { LorebookError } from "../../lore/formats/fields";
import { MAX_LOREBOOK_BYTES, MAX_LORE_ENTRIES, parseLorebook } from "../../lore/formats/parse";

/**
 * The body of POST and PUT: a lorebook document, read by the handler itself (not by a zod schema) so
 * that every format is checked by the same code and fails with the same errors.
 */
export const lorebookBody = {
  required: true,
  content: {
    "application/json": {
      schema: {
        type: "object",
        description:
          'A V3 lorebook ({"spec": "lorebook_v3", "data": {...}}), a V2/V3 character_book ({"name", "entries": [...]}) ' +
          'or a SillyTavern world-info file ({"entries": {"<uid>": {...}}})',
      },
    },
  },
} as const;

export const lorebookDescription =
  `At most ${MAX_LOREBOOK_BYTES} bytes and ${MAX_LORE_ENTRIES} entries; every regex key (written /pattern/flags, or any key ` +
  "of a V3 entry with use_regex) must compile. A refused document stores nothing, and the message names the entry at fault.";

/** Checked before the body is read (Content-Length, or counted as it streams); runs after the admin check. */
export const lorebookBodyLimit = () =>
  bodyLimit({
    maxSize: MAX_LOREBOOK_BYTES,
    onError: () => {
      throw new ApiError("INVALID_REQUEST", `Lorebooks are limited to ${MAX_LOREBOOK_BYTES} bytes`);
    },
  });

/**
 * Reads, checks and normalizes the uploaded document as lorebook `id`. The name is `name` if given, else
 * the document's own, else `fallbackName`.
 */
export async function readLorebook(c: Context<AppEnv>, id: string, name: string | undefined, fallbackName: string): Promise<LorebookContent> {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!/^application\/([\w.-]+\+)?json$/.test(type)) throw new ApiError("INVALID_REQUEST", "Content-Type must be application/json");
  let parsed: ReturnType<typeof parseLorebook>;
  try {
    parsed = parseLorebook(await c.req.text());
  } catch (error) {
    if (error instanceof LorebookError) throw new ApiError("INVALID_REQUEST", error.message);
    throw error;
  }
  const { name: ownName, ...body } = parsed.book;
  const chosen = name ?? ownName?.trim().slice(0, 200) ?? fallbackName;
  return { name: chosen, format: parsed.format, source: parsed.source, book: { id, name: chosen, ...body } };
}
