import { z } from "@hono/zod-openapi";
import { PathId } from "../../../shared/schemas/common";

// Any plausible id reaches the handler: one that names no character is 404, whatever its shape.
export const CharacterParams = z.object({ character_id: PathId.describe("A character id (a lowercase slug)") });
