import { defineConfig } from "vite";

// The playground builds into public/, which wrangler serves as static assets at /.
export default defineConfig({
  root: "playground",
  build: { outDir: "../public", emptyOutDir: false, assetsDir: "playground" },
  logLevel: "warn",
});
