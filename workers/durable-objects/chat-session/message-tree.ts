import type { PastMessage } from "../../chat/prompt";
import type { NewMessage, PlacedMessage, StoredMessage, TurnStore } from "../../chat/turn";
import type { HistoryStore, MessageRow } from "./history-store";

/** What a change did to the active branch: its new leaf, and the first message of it that is new. */
export interface BranchChange {
  activeLeafId: string | null;
  /** Messages above this one on the active branch are unchanged (for a delete that left no sibling: the deleted message). */
  changedAtId: string;
  totalCount: number;
}

/** Messages that left or joined the active branch since the last `takeMoves()`: what memory derived from them follows. */
export interface BranchMoves {
  left: string[];
  joined: string[];
}

const ROOT_SELECTION = "selected_root";

/**
 * The branch operations on a session's message tree. Costs follow the distance from the change to
 * the leaf: the active branch loses its positions below the change (d rows) and the branch that comes
 * back gets them (its length), so a swipe at the end writes O(1) rows.
 */
export class MessageTree implements TurnStore {
  private left = new Set<string>();
  private joined = new Set<string>();

  constructor(private readonly store: HistoryStore) {}

  /** What left and joined the active branch since the last call (a message that did both is in neither). */
  takeMoves(): BranchMoves {
    const moves = { left: [...this.left].filter((id) => !this.joined.has(id)), joined: [...this.joined].filter((id) => !this.left.has(id)) };
    this.left = new Set();
    this.joined = new Set();
    return moves;
  }

  count(): number {
    return this.store.count();
  }

  recentTexts(limit: number, end?: number): PastMessage[] {
    return this.store.recentTexts(limit, end);
  }

  append(message: NewMessage, at: string): StoredMessage {
    return this.store.append(message, at);
  }

  loreTimeline(index: number) {
    return this.store.loreTimeline(index);
  }

  locate(id: string) {
    const row = this.store.row(id);
    return row && { role: row.role as StoredMessage["role"], content: row.content, parentId: row.parent_id, pos: row.pos };
  }

  openWith(greetings: NewMessage[], at: string): StoredMessage {
    const [first, ...alternates] = greetings;
    const opened = this.store.append(first!, at);
    if (alternates.length === 0) return opened;
    for (const alternate of alternates) this.store.insert(alternate, null, null, at);
    this.remember(null, opened.id);
    return this.store.get(opened.id)!;
  }

  /**
   * Stores `message` as a new child of `parentId` (null: a new root) and makes it the active leaf:
   * what was below the parent on the active branch leaves it (and stays reachable). The parent must
   * be on the active branch.
   */
  branchFrom(parentId: string | null, message: NewMessage, at: string): PlacedMessage {
    const parentPos = parentId === null ? -1 : this.store.row(parentId)?.pos;
    if (parentPos === undefined || parentPos === null) throw new Error(`${parentId} is not on the active branch`);
    this.leave(parentPos);
    const stored = this.store.insert(message, parentId, parentPos + 1, at);
    this.remember(parentId, stored.id);
    return this.store.get(stored.id)!;
  }

  /** Makes `id` active; below it the branch follows each message's last selected child to a leaf. */
  select(id: string): BranchChange | undefined {
    const target = this.store.row(id);
    if (!target) return undefined;
    if (target.pos !== null) return { activeLeafId: this.store.leafId(), changedAtId: id, totalCount: this.store.count() };
    // Up to the nearest message on the active branch: the path from there down is what changes.
    const path: MessageRow[] = [target];
    let anchorPos = -1;
    for (let node = target; node.parent_id !== null; ) {
      const parent = this.store.row(node.parent_id);
      if (!parent) break;
      if (parent.pos !== null) {
        anchorPos = parent.pos;
        break;
      }
      path.unshift(parent);
      node = parent;
    }
    this.leave(anchorPos);
    let pos = anchorPos;
    for (const node of path) {
      this.remember(node.parent_id, node.id);
      this.place(node.id, ++pos);
    }
    return { ...this.extendFrom(id, pos), changedAtId: path[0]!.id };
  }

  /**
   * Removes a message and everything below it. When it was on the active branch, its nearest remaining
   * sibling (the one before it, else the one after) becomes active, else its parent ends the branch.
   */
  remove(id: string): (BranchChange & { deletedIds: string[] }) | undefined {
    const target = this.store.row(id);
    if (!target) return undefined;
    const sibling =
      target.pos === null
        ? undefined
        : (this.store.query<{ id: string }>(
            `SELECT id FROM messages WHERE parent_id IS ? AND rowid < (SELECT rowid FROM messages WHERE id = ?) ORDER BY rowid DESC LIMIT 1`,
            target.parent_id,
            id,
          )[0] ??
          this.store.query<{ id: string }>(
            `SELECT id FROM messages WHERE parent_id IS ? AND rowid > (SELECT rowid FROM messages WHERE id = ?) ORDER BY rowid ASC LIMIT 1`,
            target.parent_id,
            id,
          )[0]);
    const deletedIds = this.store
      .write<{ id: string }>(
        `WITH RECURSIVE below(id) AS (SELECT ? UNION ALL SELECT m.id FROM messages m JOIN below ON m.parent_id = below.id)
         DELETE FROM messages WHERE id IN (SELECT id FROM below) RETURNING id`,
        id,
      )
      .map((row) => row.id);
    for (const deleted of deletedIds) this.left.add(deleted);
    if (target.pos === null) return { activeLeafId: this.store.leafId(), changedAtId: id, totalCount: this.store.count(), deletedIds };
    if (!sibling) return { activeLeafId: target.parent_id, changedAtId: id, totalCount: target.pos, deletedIds };
    this.remember(target.parent_id, sibling.id);
    this.place(sibling.id, target.pos);
    return { ...this.extendFrom(sibling.id, target.pos), changedAtId: sibling.id, deletedIds };
  }

  /**
   * How the active branch differs from one that ended at `leafId` (what a client saw before it lost
   * its connection): undefined when it still ends there; else the first message of the branch that
   * is not on the client's (the root, when the client's leaf is gone).
   */
  changeSince(leafId: string | null): BranchChange | undefined {
    const activeLeafId = this.store.leafId();
    if (leafId === activeLeafId) return undefined;
    const totalCount = this.store.count();
    let node = leafId === null ? undefined : this.store.row(leafId);
    while (node && node.pos === null) node = node.parent_id === null ? undefined : this.store.row(node.parent_id);
    // The client's branch shares the active one down to `node`: what follows it is new to the client.
    const changedAtId = (node ? this.store.idAt(node.pos! + 1) : this.store.idAt(0)) ?? leafId ?? activeLeafId!;
    return { activeLeafId, changedAtId, totalCount };
  }

  /** The messages that share `id`'s parent, and which of them the branch goes through (or would). */
  siblings(id: string): { siblings: PlacedMessage[]; activeIndex: number } | undefined {
    const target = this.store.row(id);
    if (!target) return undefined;
    const siblings = this.store.children(target.parent_id);
    const followed = this.followedChild(target.parent_id);
    return {
      siblings,
      activeIndex: Math.max(
        0,
        siblings.findIndex((s) => s.id === followed),
      ),
    };
  }

  /** Messages `offset`..`offset + limit - 1` of the path from the root to `id`, and the path's length. */
  pathTo(id: string, offset: number, limit: number): { messages: StoredMessage[]; total: number } | undefined {
    const target = this.store.row(id);
    if (!target) return undefined;
    const below: string[] = [];
    let anchor: MessageRow | undefined = target;
    while (anchor && anchor.pos === null) {
      below.unshift(anchor.id);
      anchor = anchor.parent_id === null ? undefined : this.store.row(anchor.parent_id);
    }
    const onBranch = anchor ? anchor.pos! + 1 : 0;
    const total = onBranch + below.length;
    const messages: StoredMessage[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) {
      const message = i < onBranch ? this.store.get(this.store.idAt(i)!) : this.store.get(below[i - onBranch]!);
      messages.push(message!);
    }
    return { messages, total };
  }

  /** The child the branch follows below `parentId`: the last one selected, else the newest. */
  private followedChild(parentId: string | null): string | undefined {
    const selected = parentId === null ? this.store.getMeta(ROOT_SELECTION) : this.store.row(parentId)?.selected_child;
    if (typeof selected === "string" && this.store.row(selected)?.parent_id === parentId) return selected;
    return this.store.query<{ id: string }>(`SELECT id FROM messages WHERE parent_id IS ? ORDER BY rowid DESC LIMIT 1`, parentId)[0]?.id;
  }

  private remember(parentId: string | null, childId: string): void {
    if (parentId === null) this.store.setMeta(ROOT_SELECTION, childId);
    else this.store.write(`UPDATE messages SET selected_child = ? WHERE id = ?`, childId, parentId);
  }

  private place(id: string, pos: number): void {
    this.store.write(`UPDATE messages SET pos = ? WHERE id = ?`, pos, id);
    this.joined.add(id);
  }

  /** The active branch ends at `pos`: everything below leaves it. */
  private leave(pos: number): void {
    for (const row of this.store.write<{ id: string }>(`UPDATE messages SET pos = NULL WHERE pos > ? RETURNING id`, pos)) this.left.add(row.id);
  }

  /**
   * Continues the active branch below `id` (at `pos`) through last selected children to a leaf, in one
   * statement: the path is followed and numbered by a recursive query (the same rule as followedChild).
   */
  private extendFrom(id: string, pos: number): Omit<BranchChange, "changedAtId"> {
    const placed = this.store.write<{ id: string; pos: number }>(
      `WITH RECURSIVE below(id, depth) AS (
         SELECT ?, 0
         UNION ALL
         SELECT (SELECT COALESCE(
                   (SELECT c.id FROM messages c WHERE c.id = p.selected_child AND c.parent_id = p.id),
                   (SELECT c.id FROM messages c WHERE c.parent_id = p.id ORDER BY c.rowid DESC LIMIT 1))
                 FROM messages p WHERE p.id = below.id), depth + 1
         FROM below WHERE below.id IS NOT NULL
       )
       UPDATE messages SET pos = ? + below.depth FROM below WHERE messages.id = below.id AND below.depth > 0
       RETURNING messages.id AS id, messages.pos AS pos`,
      id,
      pos,
    );
    for (const row of placed) this.joined.add(row.id);
    const leaf = placed.reduce<{ id: string; pos: number }>((deepest, row) => (row.pos > deepest.pos ? row : deepest), { id, pos });
    return { activeLeafId: leaf.id, totalCount: leaf.pos + 1 };
  }
}
