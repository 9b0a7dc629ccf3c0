import type { ChatacterClient } from "../shared/client/index.js";
import { $ } from "./dom.js";

/** What the voice sample form needs from the page: the client and the selected character. */
export interface VoiceSampleHost {
  client(): ChatacterClient | undefined;
  characterId(): string;
  characterName(): string;
  /** Says what went wrong, with the API's code when it has one. */
  describe(error: unknown): string;
}

// A browser may leave a file's type empty (or not know .m4a): the extension names it then. The API checks
// the type against the bytes, so a wrong guess is an error it explains.
const TYPES_BY_EXTENSION: Record<string, string> = { wav: "audio/wav", mp3: "audio/mpeg", m4a: "audio/mp4", ogg: "audio/ogg", opus: "audio/ogg" };

const typeOf = (file: File) => file.type || TYPES_BY_EXTENSION[file.name.split(".").pop()?.toLowerCase() ?? ""] || "application/octet-stream";

/** The voice sample form: a WAV, MP3, M4A or OGG file becomes the selected character's cloned voice (admin key). */
export function setupVoiceSample(host: VoiceSampleHost) {
  const fileInput = $<HTMLInputElement>("voice-file");
  const button = $<HTMLButtonElement>("voice-upload");
  const status = $<HTMLParagraphElement>("voice-status");
  const heading = $<HTMLSpanElement>("voice-character");
  const note = (text: string) => (status.textContent = text);

  fileInput.addEventListener("change", () => {
    button.disabled = !fileInput.files?.length;
    note("");
  });
  button.addEventListener("click", async () => {
    const client = host.client();
    const file = fileInput.files?.[0];
    if (!client) return note("Connect first.");
    if (!file) return;
    const name = host.characterName();
    button.disabled = true;
    note(`Uploading ${file.name}…`);
    try {
      const character = await client.setCharacterVoice(host.characterId(), file, typeOf(file));
      note(`${name} now speaks with the voice of ${file.name} (${character.voice_model})`);
      fileInput.value = "";
    } catch (error) {
      note(host.describe(error));
      button.disabled = false;
    }
  });

  return {
    /** Names the selected character; what was said of another one's sample goes. */
    refresh() {
      heading.textContent = host.characterId() ? `of ${host.characterName()}` : "";
      note("");
    },
  };
}
