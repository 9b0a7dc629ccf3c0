import type { Outcome } from "../../api-error";
import { randomId } from "../../../shared/crypto";
import type { PlacedMessage, StoredMessage } from "../../chat/turn";
import { branchFrame } from "../../realtime/frames";
import type { HistoryStore } from "./history-store";
import type { BranchChange, MessageTree } from "./message-tree";
import type { Emit } from "./turn-runner";

export interface BranchState {
  session_id: string;
  active_leaf_id: string | null;
  total_count: number;
}

/** How a stored edit keeps the client's id: a frame re-sent after a reconnect finds it, and is not run twice. */
export const storedEditId = (clientMessageId: string) => `stored-edit:${clientMessageId}`;

const notFound = (id: string) => ({ ok: false as const, code: "NOT_FOUND" as const, message: `No message ${id} in this session` });

/**
 * The tree changes that need no reply (select, delete, a stored edit) and the reads (siblings, the
 * path a fork copies). Callers run the changes between turns; each change is broadcast as a `branch` frame.
 */
export class BranchOps {
  constructor(
    private readonly tree: MessageTree,
    private readonly store: HistoryStore,
    private readonly broadcast: Emit,
  ) {}

  select(sessionId: string, messageId: string, clientMessageId?: string): Outcome<BranchState> {
    const change = this.tree.select(messageId);
    if (!change) return notFound(messageId);
    return { ok: true, value: this.announce(sessionId, change, clientMessageId) };
  }

  remove(sessionId: string, messageId: string): Outcome<{ session_id: string; active_leaf_id: string | null; deleted_count: number; deletedIds: string[] }> {
    const change = this.tree.remove(messageId);
    if (!change) return notFound(messageId);
    const { active_leaf_id } = this.announce(sessionId, change);
    return { ok: true, value: { session_id: sessionId, active_leaf_id, deleted_count: change.deletedIds.length, deletedIds: change.deletedIds } };
  }

  /** An edit that gets no reply: the new text becomes a sibling of the message and is made active. */
  editStored(sessionId: string, messageId: string, content: string, clientMessageId?: string): Outcome<BranchState & { message: PlacedMessage }> {
    const target = this.store.row(messageId);
    if (!target) return notFound(messageId);
    if (target.pos === null) {
      return { ok: false, code: "INVALID_REQUEST", message: `Message ${messageId} is not on the active branch: select it (or one of its siblings) first` };
    }
    const message = this.tree.branchFrom(
      target.parent_id,
      // Marked apart from a turn's messages: a user message stored this way awaits no reply.
      {
        role: target.role as StoredMessage["role"],
        content,
        character_id: target.character_id,
        ...(clientMessageId ? { client_id: storedEditId(clientMessageId) } : {}),
      },
      new Date().toISOString(),
    );
    const state = this.announce(sessionId, { activeLeafId: message.id, changedAtId: message.id, totalCount: target.pos + 1 }, clientMessageId);
    return { ok: true, value: { ...state, message } };
  }

  siblings(messageId: string): Outcome<{ siblings: PlacedMessage[]; active_index: number }> {
    const found = this.tree.siblings(messageId);
    if (!found) return notFound(messageId);
    return { ok: true, value: { siblings: found.siblings, active_index: found.activeIndex } };
  }

  /** A page of the path from the root to `messageId`: what a fork copies. */
  path(messageId: string, offset: number, limit: number): Outcome<{ messages: StoredMessage[]; total: number }> {
    const path = this.tree.pathTo(messageId, offset, limit);
    return path ? { ok: true, value: path } : notFound(messageId);
  }

  /** Appends copies of a fork's messages under the leaf: new ids, the same text, metadata and media. */
  importCopies(messages: StoredMessage[]): number {
    for (const message of messages) {
      const { id: _, parent_id: __, sibling_index: ___, sibling_count: ____, timestamp, ...fields } = message;
      this.store.append({ ...fields, id: randomId("msg_") }, timestamp);
    }
    return this.store.count();
  }

  private announce(sessionId: string, change: BranchChange, clientMessageId?: string): BranchState {
    this.broadcast(branchFrame(sessionId, change, clientMessageId));
    return { session_id: sessionId, active_leaf_id: change.activeLeafId, total_count: change.totalCount };
  }
}
