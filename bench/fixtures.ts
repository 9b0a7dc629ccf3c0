/**
 * What the benchmarks run against: an ordinary `chat` key (what users send, and what the product
 * optimises: the admin key is matched in memory, an ordinary one is looked up in D1) and two characters
 * alike in every field that reaches the prompt, one text-only and one that speaks with a talking head.
 */
import { call, type Client } from "./client.ts";

export const TEXT_CHARACTER = "bench-text";
export const VOICE_CHARACTER = "bench-voice";

export async function createChatKey(baseUrl: string, adminKey: string): Promise<string> {
  const created = await call({ baseUrl, key: adminKey }, "POST", "/api/v1/keys", { name: "bench", scopes: ["chat"] });
  return created.key;
}

const common = { description: "A character for the benchmarks.", personality: "Brief.", configuration: { system_prompt: "Answer in one sentence." } };

/** The text-only character's fields under another id: what reaches the prompt is the same. */
export const textCharacter = (id: string) => ({ ...common, id, name: "Bench Text", capabilities: ["text"] });

/** A character that speaks and has no face: its replies are voiced chunk by chunk, with no talking head after. */
export const voiceOnlyCharacter = (id: string) => ({ ...common, id, name: "Bench Speaker", capabilities: ["text", "voice"], voice_model: "default" });

export async function createCharacters(baseUrl: string, adminKey: string): Promise<void> {
  const admin = { baseUrl, key: adminKey };
  await call(admin, "POST", "/api/v1/characters", textCharacter(TEXT_CHARACTER));
  await call(admin, "POST", "/api/v1/characters", {
    ...common,
    id: VOICE_CHARACTER,
    name: "Bench Voice",
    capabilities: ["text", "voice", "video"],
    voice_model: "default",
    // Served by the project's own assets: the GPU emulator fetches it to animate.
    avatar_url: "/assets/avatars/assistant.png",
  });
}

/** A non-streaming turn. */
export const turn = (client: Client, characterId: string, sessionId: string, message: string) =>
  call(client, "POST", "/api/v1/chat/message", { message, character_id: characterId, session_id: sessionId });
