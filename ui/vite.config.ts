import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { fileURLToPath } from "node:url";

// The UI lives in ui/; `tauri build` embeds ui/dist, `tauri dev` loads the dev server on :1420.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: "localhost" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.4x / WebView2 / WKWebView all run modern ES.
    target: "es2022",
    sourcemap: false,
  },
});
