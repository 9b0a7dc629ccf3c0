/**
 * A cartoon head and shoulders, drawn in plain JavaScript as RGB24 pixels: the emulator's talking head
 * (its mouth opened by the speech's loudness) and the seed characters' avatars (tools/make-avatars.ts).
 * Every shape is a signed distance, so edges are anti-aliased without supersampling; the same inputs
 * always give the same pixels.
 */

type Rgb = readonly [number, number, number];

/** A character's colours; `longHair` lets the hair fall to the shoulders, `beret` adds one. */
export interface FaceStyle {
  backgroundTop: Rgb;
  backgroundBottom: Rgb;
  skin: Rgb;
  hair: Rgb;
  shirt: Rgb;
  longHair?: boolean;
  beret?: Rgb;
}

export const FACE_STYLES = {
  assistant: { backgroundTop: [120, 170, 220], backgroundBottom: [40, 90, 150], skin: [242, 201, 166], hair: [70, 50, 40], shirt: [40, 60, 90] },
  creative: {
    backgroundTop: [250, 200, 140],
    backgroundBottom: [190, 90, 120],
    skin: [226, 180, 140],
    hair: [150, 60, 40],
    shirt: [60, 120, 110],
    longHair: true,
    beret: [110, 40, 90],
  },
  scene: { backgroundTop: [170, 210, 150], backgroundBottom: [70, 130, 70], skin: [240, 205, 170], hair: [90, 70, 40], shirt: [120, 90, 60] },
} satisfies Record<string, FaceStyle>;

/** How much of a pixel a shape covers, from the shape's signed distance in pixels (negative inside). */
const coverage = (distance: number) => Math.min(1, Math.max(0, 0.5 - distance));

/** Signed distance (in units of the ellipse's size, scaled back to pixels) from an axis-aligned ellipse. */
function ellipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number): number {
  const dx = (x - cx) / rx;
  const dy = (y - cy) / ry;
  // Far outside: skip the square root (most pixels are far from most shapes).
  if (dx > 2 || dx < -2 || dy > 2 || dy < -2) return Number.POSITIVE_INFINITY;
  return (Math.sqrt(dx * dx + dy * dy) - 1) * Math.min(rx, ry);
}

/**
 * The face as RGB24, `width` x `height`; `open` (0-1) opens the mouth. Sizes follow the shorter side,
 * centred, so any aspect works.
 */
export function drawFace(width: number, height: number, style: FaceStyle, open = 0): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const s = Math.min(width, height);
  const cx = width / 2;
  const cy = height / 2 - s * 0.04;
  const mouthY = cy + s * 0.14;
  const mouthDrop = s * (0.02 + 0.065 * open);
  // The pixel being painted, and paint over it with `colour` where a shape covers it.
  const c = new Float64Array(3);
  const layer = (distance: number, colour: Rgb, alpha = 1) => {
    const a = coverage(distance) * alpha;
    if (a > 0) for (let k = 0; k < 3; k++) c[k]! += (colour[k]! - c[k]!) * a;
  };
  for (let y = 0; y < height; y++) {
    const t = y / Math.max(1, height - 1);
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) c[k] = style.backgroundTop[k]! + (style.backgroundBottom[k]! - style.backgroundTop[k]!) * t;
      const px = x + 0.5;
      const py = y + 0.5;
      // Hair behind the head (long hair falls past the jaw), the neck and the shoulders.
      layer(ellipse(px, py, cx, cy - s * (style.longHair ? 0.0 : 0.05), s * 0.29, s * (style.longHair ? 0.38 : 0.3)), style.hair);
      layer(Math.max(Math.abs(px - cx) - s * 0.07, py < cy ? 1 : py - (cy + s * 0.4)), style.skin);
      layer(ellipse(px, py, cx, cy + s * 0.62, s * 0.4, s * 0.26), style.shirt);
      // The head, with a fringe over its top.
      layer(ellipse(px, py, cx, cy, s * 0.24, s * 0.29), style.skin);
      layer(Math.max(ellipse(px, py, cx, cy - s * 0.2, s * 0.25, s * 0.13), py - (cy - s * 0.14)), style.hair);
      if (style.beret) layer(ellipse(px, py, cx + s * 0.05, cy - s * 0.29, s * 0.2, s * 0.07), style.beret);
      // Eyes: white, iris, a highlight; cheeks.
      for (const side of [-1, 1]) {
        const ex = cx + side * s * 0.095;
        const ey = cy - s * 0.02;
        layer(ellipse(px, py, ex, ey, s * 0.045, s * 0.035), [250, 250, 250]);
        layer(ellipse(px, py, ex, ey + s * 0.004, s * 0.024, s * 0.024), [50, 40, 40]);
        layer(ellipse(px, py, ex + s * 0.008, ey - s * 0.006, s * 0.007, s * 0.007), [255, 255, 255]);
        layer(ellipse(px, py, cx + side * s * 0.15, cy + s * 0.08, s * 0.04, s * 0.025), [235, 120, 120], 0.35);
      }
      // The mouth: a smile (the lower half of an ellipse) that deepens as it opens, a tongue inside.
      const mouth = Math.max(ellipse(px, py, cx, mouthY, s * 0.075, mouthDrop), mouthY - py);
      layer(mouth, [130, 30, 45]);
      if (open > 0.2) layer(Math.max(mouth, ellipse(px, py, cx, mouthY + mouthDrop, s * 0.045, mouthDrop * 0.5)), [220, 110, 120]);
      const i = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) out[i + k] = Math.round(c[k]!);
    }
  }
  return out;
}
