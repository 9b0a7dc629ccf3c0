import { isAdmin, type Caller } from "../../auth/caller";
import type { HistoryStore } from "./history-store";
import type { Denied } from "./turn-runner";

/**
 * Who may use a session: the first key to write to it owns it; other keys get FORBIDDEN, admin keys
 * get through. The owner is read once: ownership never changes after the first claim.
 */
export class Ownership {
  private owner?: string | null;

  constructor(private readonly store: HistoryStore) {}

  /** `claim` takes ownership of an unowned session; `allowNew` lets an unowned one pass without claiming. */
  check(caller: Caller, { claim, allowNew = false }: { claim: boolean; allowNew?: boolean }): Denied | undefined {
    const owner = this.ownerKey();
    if (owner === null) {
      if (allowNew) return undefined;
      if (!claim) return { ok: false, code: "NOT_FOUND", message: "No such session" };
      this.store.setMeta("owner", caller.keyId);
      this.store.setMeta("created_at", new Date().toISOString());
      this.owner = caller.keyId;
      return undefined;
    }
    if (owner !== caller.keyId && !isAdmin(caller)) {
      return { ok: false, code: "FORBIDDEN", message: "This session belongs to another API key" };
    }
    return undefined;
  }

  /** Turn frames go to the owner's sockets and admins' only. */
  mayHear(caller: Caller): boolean {
    return caller.keyId === this.ownerKey() || isAdmin(caller);
  }

  /** The key that owns the session (null: nobody yet). */
  ownerKey(): string | null {
    if (this.owner === undefined) this.owner = this.store.getMeta("owner");
    return this.owner;
  }
}
