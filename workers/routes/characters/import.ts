import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ImportCardQuery } from "../../../shared/schemas/character-cards";
import { Character } from "../../../shared/schemas/characters";
import { ApiError } from "../../api-error";
import { CardError, parseCardFile, parseCardJson, parseCardPng, type ParsedCardFile } from "../../cards/card-file";
import { cardToCharacter, slugFor } from "../../cards/convert";
import { deleteCharacter, getCharacter, getCharacterRow, importCharacter } from "../../db/characters";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../env";
import { requireAdmin } from "../../middleware/auth";
import { avatarKey, avatarPath } from "../assets/avatars";
import { conflictResponse, createRouter, errorResponses, jsonResponse } from "../openapi";

/** Card PNGs are portraits with a few KB of JSON; 2 MiB is generous and checked before any parsing. */
const MAX_CARD_BYTES = 2 * 1024 * 1024;

const binary = { type: "string", format: "binary" } as const;

const route = createRoute({
  method: "post",
  path: "/import",
  summary: "Import a Character Card V2/V3 (admin): JSON, or a PNG with the card in its ccv3/chara tEXt chunk",
  description:
    "Send the card as `application/json`, as an `image/png` body, or as `multipart/form-data` with a `file` field " +
    `(PNG or JSON). At most ${MAX_CARD_BYTES} bytes. A PNG card's image becomes the avatar. The id is a slug of the ` +
    "card's name unless `id` is given; an id in use is a CONFLICT unless `overwrite=true`.",
  // The body limit runs after the admin check, so only admins can make the Worker read 2 MiB.
  middleware: [
    requireAdmin(),
    bodyLimit({
      maxSize: MAX_CARD_BYTES,
      onError: () => {
        throw new ApiError("INVALID_REQUEST", `Card files are limited to ${MAX_CARD_BYTES} bytes`);
      },
    }),
  ] as const,
  request: {
    query: ImportCardQuery,
    // Plain OpenAPI schemas (not zod): the handler reads every kind of body itself, so that JSON and PNG
    // cards are checked by the same code and fail with the same errors.
    body: {
      required: true,
      content: {
        "application/json": { schema: { type: "object", description: "A Character Card V2 (chara_card_v2) or V3 (chara_card_v3)" } },
        "image/png": { schema: binary },
        "multipart/form-data": { schema: { type: "object", properties: { file: binary }, required: ["file"] } },
      },
    },
  },
  responses: {
    201: jsonResponse(Character, "The imported character"),
    200: jsonResponse(Character, "The character, overwritten by the card (overwrite=true)"),
    ...errorResponses,
    ...conflictResponse,
  },
});

async function readCard(c: Context<AppEnv>): Promise<ParsedCardFile> {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  try {
    if (/^application\/([\w.-]+\+)?json$/.test(type)) return { card: parseCardJson(await c.req.text()) };
    if (type === "image/png") return parseCardPng(new Uint8Array(await c.req.arrayBuffer()));
    if (type === "multipart/form-data") {
      let file: File | string | null;
      try {
        file = (await c.req.formData()).get("file");
      } catch {
        throw new CardError("The multipart body is malformed");
      }
      if (!file || typeof file === "string") throw new CardError("The multipart body has no `file` field with a file in it");
      return parseCardFile(new Uint8Array(await file.arrayBuffer()));
    }
  } catch (error) {
    if (error instanceof CardError) throw new ApiError("INVALID_REQUEST", error.message, error.details);
    throw error;
  }
  throw new ApiError("INVALID_REQUEST", "Content-Type must be application/json, image/png or multipart/form-data");
}

export const importCharacterRoute = createRouter().openapi(route, async (c) => {
  const query = c.req.valid("query");
  const overwrite = query.overwrite === "true";
  const { card, image } = await readCard(c);
  const fields = cardToCharacter(card);
  const id = query.id ?? (await slugFor(fields.name));
  const db = getDb(c.env.DB);
  const existing = await getCharacterRow(db, id);
  if (existing && !overwrite) {
    throw new ApiError("CONFLICT", `A character with id ${id} already exists (pass overwrite=true to replace it, or another id)`, { character_id: id });
  }
  // The row first, the image after: of two imports racing for a new id, the insert decides, and the one
  // that loses the CONFLICT has written nothing to R2 (the avatar path is shared, so it would replace the
  // winner's image). The avatar may answer 404 for the moment between the two writes.
  const stored = await importCharacter(db, id, fields, { avatarUrl: image ? avatarPath(id) : undefined, overwrite, now: new Date().toISOString() });
  if (!stored) throw new ApiError("CONFLICT", `A character with id ${id} already exists`, { character_id: id });
  if (image) {
    try {
      await c.env.MEDIA.put(avatarKey(id), image, { httpMetadata: { contentType: "image/png" } });
    } catch (error) {
      // A new character whose avatar could not be stored is not imported: the id is free to try again.
      if (!existing) await deleteCharacter(db, id);
      throw error;
    }
  }
  return c.json((await getCharacter(db, id))!, existing ? 200 : 201);
});
