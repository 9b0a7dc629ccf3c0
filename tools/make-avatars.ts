/**
 * `npm run make:avatars`: draws the seed characters' avatars (migrations/0001_seed_characters.sql)
 * with the GPU emulator's face code and writes them as PNGs into workers/seed-avatars/, where the
 * Worker bundles them. The same code always makes the same files; run it after changing face.ts.
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { ffmpegPath } from "../gpu-jobs/emulator/encode-mp4.ts";
import { drawFace, FACE_STYLES } from "../gpu-jobs/emulator/face.ts";

const SIZE = 512;

for (const id of ["assistant", "creative"] as const) {
  const file = `workers/seed-avatars/${id}.png`;
  const png = spawnSync(
    await ffmpegPath(),
    [
      ...["-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${SIZE}x${SIZE}`, "-i", "pipe:0"],
      // No encoder name in the file (bit-exact), so the bytes depend on the pixels only.
      ...["-frames:v", "1", "-pix_fmt", "rgb24", "-pred", "mixed", "-fflags", "+bitexact", "-flags", "+bitexact", "-y", file],
    ],
    { input: drawFace(SIZE, SIZE, FACE_STYLES[id]), stdio: ["pipe", "inherit", "inherit"] },
  );
  if (png.status !== 0) process.exit(png.status ?? 1);
  console.log(`${file}: ${SIZE}x${SIZE}, ${statSync(file).size} bytes`);
}
