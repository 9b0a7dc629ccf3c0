/**
 * Fills public/ for Workers static assets: the docs viewer's standalone script (from the
 * @scalar/api-reference package, so /docs needs no CDN) and the playground bundle (Vite).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
// The package exports no package.json; find its folder from the main entry.
const scalarDir = join(dirname(require.resolve("@scalar/api-reference")).replace(/\/dist.*$/, ""));
mkdirSync("public/vendor", { recursive: true });
copyFileSync(join(scalarDir, "dist/browser/standalone.js"), "public/vendor/scalar-api-reference.js");
console.log("assets: public/vendor/scalar-api-reference.js");

const vite = spawnSync("npx", ["vite", "build", "--config", "playground/vite.config.ts"], { stdio: "inherit" });
if (vite.status !== 0) process.exit(vite.status ?? 1);
console.log("assets: public/index.html (playground)");
