import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Styles go to a CSS file (the CSP allows style-src 'self' only, no inline <style>).
    css: "external",
  },
};
