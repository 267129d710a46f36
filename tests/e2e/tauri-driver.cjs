// Starts tauri-driver (the WebDriver proxy between WebdriverIO and WebKitWebDriver) from the prebuilt
// Linux build on npm. The `@crabnebula/tauri-driver` wrapper is not used: it lists platform packages
// that were never published, which makes `npm ci` refuse the lock file.
//   node tests/e2e/tauri-driver.cjs --port N --native-port M
let binding;
try {
  binding = require("@crabnebula/tauri-driver-linux-x64-gnu");
} catch (error) {
  console.error(
    `tauri-driver is not installed for ${process.platform}-${process.arch} (${error.message}); ` +
      "the end-to-end tests run on Linux x64: run `make ui-deps`",
  );
  process.exit(1);
}
binding.run(process.argv.slice(2), "tauri-driver").catch((error) => {
  console.error(error.message);
  process.exit(1);
});
