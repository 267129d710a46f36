import { mount } from "svelte";
import "./app.css";
import "./customer-screen.css";
import App from "./App.svelte";
import { applyTheme } from "./lib/theme";

// The system theme until the saved setting is read from the database.
applyTheme("system");

// The CSP (src-tauri/tauri.conf.json) allows no inline scripts or styles. Anything that trips it is
// a bug: log it and count it where the end-to-end tests look.
document.addEventListener("securitypolicyviolation", (event) => {
  const root = document.documentElement;
  root.dataset.cspViolations = String(Number(root.dataset.cspViolations ?? "0") + 1);
  console.warn(`CSP blocked ${event.blockedURI || "inline code"} (${event.violatedDirective})`);
});

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

export default mount(App, { target });
