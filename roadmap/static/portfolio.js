// Autosave for portfolio forms: every 30 seconds, if the answers changed, post them to the
// server, which keeps them for this person and page until the form is saved. The form works
// without this script; it only narrows what a crash or a closed tab can lose.
const SECONDS = 30;

function snapshot(form) {
  return new URLSearchParams(new FormData(form)).toString();
}

function timeNow() {
  return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

async function save(form, status) {
  const data = new FormData(form);
  data.set("path", form.dataset.autosavePath);
  try {
    const response = await fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": data.get("csrf_token") || "" },
    });
    // Read the answer to its end: a response that is never read (ours are no-store, so no
    // cache reads it either) stays open until the page is left, and is cut off then.
    await response.text();
    if (response.ok) {
      status.textContent = `Saved automatically at ${timeNow()}.`;
      return true;
    }
    status.textContent = response.type === "opaqueredirect"
      ? "Your session has ended. When you save, we will keep your answers and ask you to sign in."
      : "Could not save automatically. Use Save draft to keep your answers.";
  } catch {
    status.textContent = "Could not save automatically. Use Save draft to keep your answers.";
  }
  return false;
}

for (const form of document.querySelectorAll("form[data-autosave]")) {
  const status = form.querySelector("#autosave-status") || document.createElement("p");
  let last = snapshot(form);
  window.setInterval(async () => {
    const now = snapshot(form);
    if (now !== last && await save(form, status)) {
      last = now;
    }
  }, SECONDS * 1000);
}
