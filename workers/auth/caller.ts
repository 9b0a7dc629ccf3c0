import type { Scope } from "../../shared/schemas/keys";

/** Who is calling: the key's id (never the key) and what it may do. */
export interface Caller {
  keyId: string;
  scopes: Scope[];
}

export const ADMIN_KEY_ID = "key_admin";

export const isAdmin = (caller: Caller) => caller.scopes.includes("admin");
