/**
 * A reply's face: the character's avatar while its talking-head video is being made, then the video
 * (main.ts's showMedia adds the player) with the avatar as its poster until the first frame shows.
 */
import { element } from "./dom.js";

const avatars = new Map<string, string>();

/** Keeps each character's avatar URL (from the character list). */
export function rememberAvatars(characters: { id: string; avatar_url?: string | null }[]) {
  avatars.clear();
  for (const c of characters) if (c.avatar_url) avatars.set(c.id, c.avatar_url);
}

/**
 * Shows `characterId`'s avatar in a reply whose video is on its way, and hands it to the video player
 * once there is one. `place` adds an element to the bubble (below its text).
 */
export function showReplyFace(li: HTMLLIElement, media: Record<string, unknown>, characterId: string, place: (element: HTMLElement) => void) {
  const avatar = avatars.get(characterId);
  const video = li.querySelector<HTMLVideoElement>("video");
  let face = li.querySelector<HTMLImageElement>("img.reply-face");
  const state = (media.video_status ?? media.status) as string | undefined;
  if (video) {
    face?.remove();
    if (avatar && !video.poster) video.poster = avatar;
    video.playsInline = true;
    video.preload = "auto";
    return;
  }
  if (!avatar || typeof media.video_url !== "string" || state === "failed") return face?.remove();
  if (face) return;
  face = element("img", "reply-face");
  face.src = avatar;
  face.alt = "";
  face.width = face.height = 96;
  face.dataset.testid = "reply-face";
  face.title = "The video is on its way";
  place(face);
}
