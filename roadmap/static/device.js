// The installable app on every page: register the service worker, remember whose drafts this
// device may show, say when drafts are waiting to sync, keep an evidence form's answers on the
// device when it is saved with no connection, and clear the device at sign-out.
import * as drafts from "./drafts.js";
import { problem } from "./pid.js";
import { answersOf } from "./sync.js";
import { keepAssessment } from "./onspot.js";

const body = document.body;
const OFFLINE_PAGE = "/offline";

function element(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

async function whoseDevice() {
  // Assessor mode (the server holds it as a lock): remembered so that the offline page, shown
  // for any page opened with no connection, shows the assessor nothing of the drafts. The
  // device's key stays: the assessor's part is kept under it when the connection goes.
  if (body.hasAttribute("data-assessor-mode")) {
    drafts.assessorMode(true);
    return;
  }
  if (body.dataset.deviceKey) {
    drafts.assessorMode(false);  // a candidate's page: the server let them out of assessor mode
    // Someone else's drafts (their session ended without signing out) are not shown to this
    // person: they go.
    if (drafts.owner() !== body.dataset.deviceKey) await drafts.removeOthers(body.dataset.deviceKey);
    drafts.remember(body.dataset.deviceKey, body.dataset.offlineForms);
    // Ask for the forms now, so the worker keeps them for a time with no connection (once: the
    // offline page asks again whenever it opens online, and the worker keeps the newer copy).
    const forms = body.dataset.offlineForms;
    if (forms && !(window.caches && await caches.match(forms))) {
      fetch(forms, { credentials: "same-origin" }).then((r) => r.text()).catch(() => {});
    }
  } else if (!body.hasAttribute("data-shell")) {
    drafts.forget();  // nobody signed in (or not a candidate): no drafts are shown here
  }
}

async function sayWaiting() {
  if (!body.dataset.deviceKey || location.pathname === OFFLINE_PAGE) return;
  const waiting = await drafts.list();
  if (!waiting.length) return;
  const words = waiting.length === 1 ? "1 draft is" : `${waiting.length} drafts are`;
  const note = element("div", { class: "nhsuk-inset-text", id: "drafts-waiting" },
    element("span", { class: "nhsuk-u-visually-hidden" }, "Information: "),
    element("p", {}, `${words} kept on this device, waiting to be saved to your portfolio. `,
      element("a", { href: OFFLINE_PAGE }, "See drafts on this device")));
  document.querySelector("main")?.prepend(note);
}

// An evidence form saved with no connection: its answers are kept on the device instead.
function keepOffline(form) {
  form.addEventListener("submit", async (event) => {
    if (navigator.onLine || !body.dataset.deviceKey) return;
    event.preventDefault();
    for (const old of form.querySelectorAll(".roadmap-device-error")) old.remove();
    for (const box of form.querySelectorAll("textarea, input[type=text]")) {
      const found = problem(box.value);
      if (found) {
        // Beside the field, as the server's own messages are; nothing is kept until it goes.
        const error = element("span", { class: "nhsuk-error-message roadmap-device-error", id: `${box.id}-device-error` },
          element("span", { class: "nhsuk-u-visually-hidden" }, "Error: "), found);
        box.closest(".nhsuk-form-group")?.classList.add("nhsuk-form-group--error");
        box.before(error);
        box.setAttribute("aria-describedby", `${box.getAttribute("aria-describedby") || ""} ${error.id}`.trim());
        box.focus();
        return;
      }
    }
    const evidenceId = form.dataset.evidenceId || "";
    const template = form.dataset.offlineTemplate;
    await drafts.put({
      id: drafts.newId(), typeCode: form.dataset.offlineType, typeName: form.dataset.offlineTypeName, template,
      evidenceId, lockVersion: form.querySelector("[name=lock_version]")?.value || "",
      url: location.pathname + location.search, title: form.querySelector("[name=title]")?.value || "",
      fields: answersOf(form), state: "waiting",
    });
    location.assign(OFFLINE_PAGE);
  });
}

// Sign-out takes this person's drafts off the device; with drafts still waiting, it asks first.
function signOut(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const waiting = await drafts.list();
    if (waiting.length && !form.dataset.confirmed) {
      warnBeforeSignOut(form, waiting.length);
      return;
    }
    await drafts.clearAll();
    form.submit();
  });
}

function warnBeforeSignOut(form, count) {
  document.querySelector("#sign-out-warning")?.remove();
  const discard = element("button", { class: "nhsuk-button nhsuk-button--warning", type: "button" },
    "Sign out and delete them");
  discard.addEventListener("click", () => {
    form.dataset.confirmed = "yes";
    form.requestSubmit();
  });
  const words = count === 1 ? "1 draft on this device has" : `${count} drafts on this device have`;
  const warning = element("div", { class: "nhsuk-warning-callout", id: "sign-out-warning", tabindex: "-1" },
    element("h2", { class: "nhsuk-warning-callout__label" }, element("span", { role: "text" },
      element("span", { class: "nhsuk-u-visually-hidden" }, "Important: "), "Drafts not saved yet")),
    element("p", {}, `${words} not been saved to your portfolio. Signing out deletes them from this device.`),
    element("div", { class: "nhsuk-button-group" },
      element("a", { class: "nhsuk-button", href: OFFLINE_PAGE }, "Save them first"), discard));
  document.querySelector("main")?.prepend(warning);
  warning.focus();
}

if (window.isSecureContext && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(() => {});
}
if (window.indexedDB) {
  whoseDevice().then(sayWaiting).catch(() => {});
  for (const form of document.querySelectorAll("form[data-offline-type]")) keepOffline(form);
  for (const form of document.querySelectorAll("form[data-sign-out]")) signOut(form);
  for (const form of document.querySelectorAll("form[data-onspot-item]")) keepAssessment(form);
}
