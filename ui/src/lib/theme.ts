// Light / Dark / System. The setting lives in the database (settings::theme); the page shows the
// resolved theme as <html data-theme="light|dark">, which app.css keys its colours on. "System"
// follows prefers-color-scheme, which WebKitGTK does not always report correctly — hence the
// explicit choice.
import type { Theme } from "./api";

const media = window.matchMedia("(prefers-color-scheme: dark)");
let setting: Theme = "system";

function render() {
  const root = document.documentElement;
  const dark = setting === "dark" || (setting === "system" && media.matches);
  root.dataset.theme = dark ? "dark" : "light";
  root.dataset.themeSetting = setting;
}

media.addEventListener("change", render);

export function applyTheme(next: Theme) {
  setting = next;
  render();
}

export function currentTheme(): Theme {
  return setting;
}
