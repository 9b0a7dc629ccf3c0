import { z } from "zod";
import { PathId, Timestamp } from "./common";

/** `chat`: a client app (chat, its own sessions and media, reading characters). `admin`: everything. */
export const Scope = z.enum(["chat", "admin"]);
export type Scope = z.infer<typeof Scope>;

/** The ids this API gives keys. */
const GeneratedKeyId = z.string().regex(/^key_[A-Za-z0-9]{1,64}$/, "not a key id");

/** A key id as a request names it (DELETE /keys/{id}): an unknown one is 404, whatever its shape. */
export const KeyId = PathId.describe("A key id (key_...)");

export const CreateKeyRequest = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(Scope).min(1).default(["chat"]),
});

const KeySummary = z.object({
  id: GeneratedKeyId,
  name: z.string(),
  scopes: z.array(Scope),
  /** The first characters of the key, enough to recognise it, never enough to use it. */
  prefix: z.string(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
});

/** The only answer that ever contains the key itself. */
export const CreatedKey = z.object({
  id: GeneratedKeyId,
  key: z.string(),
  name: z.string(),
  scopes: z.array(Scope),
  created_at: Timestamp,
});

export const KeyList = z.object({ keys: z.array(KeySummary) });

export const RevokedKey = z.object({ id: GeneratedKeyId, revoked_at: Timestamp });
