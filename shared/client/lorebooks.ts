import type { z } from "zod";
import type {
  ContextPreview as ContextPreviewBody,
  DeleteLorebookResponse,
  ExportLorebookQuery,
  Lorebook as LorebookBody,
  LorebookCreated as LorebookCreatedBody,
  LorebookDocument as LorebookDocumentBody,
  LorebookList as LorebookListBody,
  SessionLorebooks as SessionLorebooksBody,
  SessionNote as SessionNoteBody,
  SessionNoteRequest,
} from "../schemas/lorebooks";
import { call, JsonText, type Transport } from "./http.js";

/** Lorebooks (world info), a session's lorebooks and author's note, and the context preview (CHARACTER-ENGINE.md §2). */

/**
 * A lorebook document in any of the three formats the API reads: a V3 lorebook (`{spec: "lorebook_v3", data}`),
 * a bare `character_book` (`{name, entries: [...]}`) or a SillyTavern world-info file (`{entries: {"<uid>": {...}}}`).
 * Exports answer one too.
 */
export type LorebookDocument = z.output<typeof LorebookDocumentBody>;
/** What create and replace take: a document, or its JSON text as read from a file (sent byte for byte). */
export type LorebookSource = LorebookDocument | string;
/** A stored lorebook's id, name and entry count (create and replace answer it). */
export type LorebookCreated = z.output<typeof LorebookCreatedBody>;
/** Every lorebook, oldest first, without entries. */
export type LorebookList = z.output<typeof LorebookListBody>;
export type LorebookSummary = LorebookList["lorebooks"][number];
/** A lorebook with its entries, in the API's normalized form whatever format it was uploaded in. */
export type Lorebook = z.output<typeof LorebookBody>;
/** One entry of a lorebook: SillyTavern's World Info fields in snake_case. */
export type LoreEntry = Lorebook["entries"][number];
export type LorebookExportFormat = z.output<typeof ExportLorebookQuery>["format"];
/** A deleted lorebook, and the characters it was detached from. */
export type DeletedLorebook = z.output<typeof DeleteLorebookResponse>;
/** The lorebooks attached to a session (beside its character's). */
export type SessionLorebooks = z.output<typeof SessionLorebooksBody>;
/** A session's author's note: `content` ("" for none) inserted `depth` messages from the end, as `role`. */
export type SessionNote = z.output<typeof SessionNoteBody>;
/** What `setSessionNote` takes: `depth` defaults to 4 and `role` to "system"; empty `content` removes the note. */
export type SessionNoteInput = z.input<typeof SessionNoteRequest>;
/** The prompt the next turn would send, its tokens by section, and the world-info entries in it. */
export type ContextPreview = z.output<typeof ContextPreviewBody>;
/** A world-info entry that fired: which book, which entry, where it went and the key that matched (null: constant). */
export type FiredLoreEntry = ContextPreview["lore"][number];
/** The sections a prompt's tokens are counted in: system, lore, memory, examples, history, message. */
export type PromptSection = keyof ContextPreview["tokens"]["sections"];

export interface ContextPreviewOptions {
  /** The character the next turn would talk to. */
  characterId: string;
  /** The user's next message, as it would be sent. */
  message: string;
  /** The user's name, for `{{user}}` (as `context.user_name` of a turn). */
  userName?: string;
  /** The end user whose memories would be recalled. */
  userId?: string;
}

const LOREBOOKS = "/api/v1/lorebooks";
const lorebookPath = (id: string, action = "") => `${LOREBOOKS}/${encodeURIComponent(id)}${action && `/${action}`}`;
const nameQuery = (name: string | undefined) => (name === undefined ? "" : `?${new URLSearchParams({ name })}`);
const documentBody = (document: LorebookSource) => (typeof document === "string" ? new JsonText(document) : document);
const sessionPath = (sessionId: string, action: string) => `/api/v1/chat/sessions/${encodeURIComponent(sessionId)}/${action}`;

/**
 * `client.lorebooks`: upload, list, read, replace, delete and export lorebooks. Reading needs the chat
 * scope, writing admin. Attach a lorebook to a character with `lorebook_ids` (`createCharacter`,
 * `updateCharacter`), or to one session with `setSessionLorebooks`.
 *
 * @example
 * const world = JSON.parse(await readFile("Silverwood.json", "utf8")); // a SillyTavern world-info file
 * const { id } = await admin.lorebooks.create(world);
 * await admin.updateCharacter("seraphina", { lorebook_ids: [id] });
 */
export class Lorebooks {
  constructor(private readonly transport: Transport) {}

  /**
   * Uploads a lorebook (admin): any of the three formats, as an object or as the file's JSON text. Its name
   * is `name` if given, else the document's own, else "Untitled lorebook".
   *
   * @example
   * const { id, entry_count } = await admin.lorebooks.create({ entries: { "0": { key: ["moonstone"], content: "Moonstones glow." } } }, { name: "Gems" });
   */
  create(document: LorebookSource, { name }: { name?: string } = {}): Promise<LorebookCreated> {
    return call(this.transport, "POST", `${LOREBOOKS}${nameQuery(name)}`, documentBody(document));
  }

  /**
   * Every lorebook, oldest first, without its entries.
   *
   * @example
   * const { lorebooks } = await client.lorebooks.list();
   * for (const book of lorebooks) console.log(book.id, book.name, book.entry_count, book.format);
   */
  list(): Promise<LorebookList> {
    return call(this.transport, "GET", LOREBOOKS);
  }

  /**
   * A lorebook with its entries, normalized whatever format it came in.
   *
   * @example
   * const book = await client.lorebooks.get(id);
   * for (const entry of book.entries) console.log(entry.name, entry.keys.join(", "), entry.position);
   */
  get(id: string): Promise<Lorebook> {
    return call(this.transport, "GET", lorebookPath(id));
  }

  /**
   * Replaces a lorebook with a new document (admin); characters and sessions it is attached to keep it.
   * Its name is `name` if given, else the document's own, else the current one.
   *
   * @example
   * await admin.lorebooks.replace(id, await readFile("Silverwood v2.json", "utf8"));
   */
  replace(id: string, document: LorebookSource, { name }: { name?: string } = {}): Promise<LorebookCreated> {
    return call(this.transport, "PUT", `${lorebookPath(id)}${nameQuery(name)}`, documentBody(document));
  }

  /**
   * Deletes a lorebook (admin); it is detached from every character that had it.
   *
   * @example
   * const { detached_from } = await admin.lorebooks.remove(id); // ["seraphina"]
   */
  remove(id: string): Promise<DeletedLorebook> {
    return call(this.transport, "DELETE", lorebookPath(id));
  }

  /**
   * The lorebook as a document: a V3 lorebook (`"v3"`, the default) or a SillyTavern world-info file.
   * In the format it was uploaded in, the document comes back as it was uploaded.
   *
   * @example
   * const world = await client.lorebooks.export(id, "sillytavern");
   * await writeFile("world.json", JSON.stringify(world, null, 2));
   */
  export(id: string, format: LorebookExportFormat = "v3"): Promise<LorebookDocument> {
    return call(this.transport, "GET", `${lorebookPath(id, "export")}?format=${encodeURIComponent(format)}`);
  }
}

/** The session calls behind ChatacterClient's lore methods. */
export const loreCalls = {
  sessionLorebooks: (t: Transport, sessionId: string): Promise<SessionLorebooks> => call(t, "GET", sessionPath(sessionId, "lorebooks")),

  setSessionLorebooks: (t: Transport, sessionId: string, ids: string[]): Promise<SessionLorebooks> =>
    call(t, "PUT", sessionPath(sessionId, "lorebooks"), { lorebook_ids: ids }),

  sessionNote: (t: Transport, sessionId: string): Promise<SessionNote> => call(t, "GET", sessionPath(sessionId, "note")),

  setSessionNote: (t: Transport, sessionId: string, note: SessionNoteInput): Promise<SessionNote> => call(t, "PUT", sessionPath(sessionId, "note"), note),

  contextPreview: (t: Transport, sessionId: string, { characterId, message, userName, userId }: ContextPreviewOptions): Promise<ContextPreview> =>
    call(t, "POST", sessionPath(sessionId, "context"), {
      character_id: characterId,
      message,
      ...(userId === undefined ? {} : { user_id: userId }),
      ...(userName === undefined ? {} : { context: { user_name: userName } }),
    }),
};
