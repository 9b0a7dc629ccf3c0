import { z } from "@hono/zod-openapi";
import { CharacterId } from "../../../shared/schemas/common";

export const CharacterParams = z.object({ character_id: CharacterId });
