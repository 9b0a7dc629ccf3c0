import type { GroupStrategy } from "../../../shared/schemas/sessions";
import type { HistoryStore } from "./history-store";

// A one-character session's members are read from the end of its branch.
const VIEW_LINES = 500;

/** A group session's settings (CHARACTER-ENGINE.md §5), as the session keeps them. */
export interface GroupSettings {
  /** false: a one-character session, shown as the characters that spoke in it. */
  group: boolean;
  /** Character ids, in the order `list` speaks them. */
  members: string[];
  strategy: GroupStrategy;
  allow_self_responses: boolean;
}

/** A session's group, kept in its meta table; a session without one is a one-character session. */
export class SessionGroup {
  constructor(private readonly store: HistoryStore) {}

  get(): GroupSettings | undefined {
    const stored = this.store.getMeta("group");
    return stored ? { ...(JSON.parse(stored) as GroupSettings), group: true } : undefined;
  }

  set(settings: GroupSettings): GroupSettings {
    this.store.setMeta("group", JSON.stringify(settings));
    return settings;
  }

  /**
   * What a session shows as its group: its own, or for a one-character session, the characters of
   * its active branch in the order they first spoke, answering only when named ("manual").
   */
  view(): GroupSettings {
    const own = this.get();
    if (own) return own;
    const speakers = this.store.recentTexts(VIEW_LINES).flatMap((line) => (line.role === "assistant" && line.character_id ? [line.character_id] : []));
    return { group: false, members: [...new Set(speakers)], strategy: "manual", allow_self_responses: false };
  }
}
