import type { SessionNoteRequest } from "../../../shared/schemas/lorebooks";
import type { HistoryStore } from "./history-store";

export type SessionNote = SessionNoteRequest;

const NO_NOTE: SessionNote = { content: "", depth: 4, role: "system" };

/** A session's own lorebooks and its author's note, kept in the session's meta table. */
export class SessionLore {
  constructor(private readonly store: HistoryStore) {}

  lorebookIds(): string[] {
    const stored = this.store.getMeta("lorebook_ids");
    return stored ? (JSON.parse(stored) as string[]) : [];
  }

  setLorebookIds(ids: string[]): string[] {
    this.store.setMeta("lorebook_ids", JSON.stringify(ids));
    return ids;
  }

  note(): SessionNote {
    const stored = this.store.getMeta("note");
    return stored ? (JSON.parse(stored) as SessionNote) : NO_NOTE;
  }

  setNote(note: SessionNote): SessionNote {
    this.store.setMeta("note", JSON.stringify(note));
    return note;
  }
}
