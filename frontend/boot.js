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

try {
  const { default: init } = await import(tag.dataset.appJs);
  await init({ module_or_path: tag.dataset.appWasm });
} catch (error) {
  console.error("Backoffice could not start:", error);
  const message = document.createElement("p");
  message.className = "boot-error";
  message.setAttribute("role", "alert");
  message.textContent = "Backoffice could not start. Reload the page to try again.";
  document.body.replaceChildren(message);
}
