// Starts the WebAssembly app. The page's Content-Security-Policy forbids
// inline scripts, so instead of Trunk's inline loader, Trunk.toml makes Trunk
// emit <script type="module" src="/boot.js" data-app-js=… data-app-wasm=…>,
// naming the hashed files of this build, and this file loads them.
const tag = document.querySelector("script[data-app-js][data-app-wasm]");

// A page restored from the back/forward cache would show the state it had
// when left, e.g. signed in before a logout. Start afresh instead, so the
// app asks the server again who is signed in.
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

// Shown when the app cannot start, before it can speak for itself: in the
// first of the browser's languages the app has (as shared::locale
// negotiates), else English. Keep in step with frontend/locales/.
const START_FAILED = {
  en: "Backoffice could not start. Reload the page to try again.",
  de: "Backoffice konnte nicht starten. Bitte laden Sie die Seite neu, um es erneut zu versuchen.",
};
const browserLanguage = () =>
  (navigator.languages || [navigator.language])
    .map((language) => String(language).split(/[-_]/)[0].toLowerCase())
    .find((language) => Object.hasOwn(START_FAILED, language)) ?? "en";

try {
  const { default: init } = await import(tag.dataset.appJs);
  await init({ module_or_path: tag.dataset.appWasm });
} catch (error) {
  console.error("Backoffice could not start:", error);
  const message = document.createElement("p");
  message.className = "boot-error";
  message.setAttribute("role", "alert");
  message.textContent = START_FAILED[browserLanguage()];
  document.body.replaceChildren(message);
}
