/**
 * Fills public/ for Workers static assets: the docs viewer's standalone script (from the
 * @scalar/api-reference package, so /docs needs no CDN) and the playground bundle.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
// The package exports no package.json; find its folder from the main entry.
const scalarDir = join(dirname(require.resolve("@scalar/api-reference")).replace(/\/dist.*$/, ""));
mkdirSync("public/vendor", { recursive: true });
copyFileSync(join(scalarDir, "dist/browser/standalone.js"), "public/vendor/scalar-api-reference.js");
console.log("assets: public/vendor/scalar-api-reference.js");
