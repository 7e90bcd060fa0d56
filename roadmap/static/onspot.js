// The assessor's page on the candidate's phone, opened online: its Sign button must not lose the
// assessor's answers when the connection has gone by the time they press it (a plain form post
// would show the browser's own error page). The form is sent with fetch; with no connection its
// part is kept on the device in the shape of a draft card's assessor part (sync.js), keyed to the
// item and the version the assessor read, with a key made here so a second sync finds the
// first. It is sent to the JSON address as soon as the phone is back online (or, if this page is
// closed, from the drafts page's sync).
import * as drafts from "./drafts.js";
import { element } from "./fields.js";

export const WAITING_HERE = "Waiting to sync: the confirmation email goes when you are back online.";
const IDENTITY = ["name", "role", "registration_body", "registration_other", "registration_number", "email"];

// The assessor's part as the JSON sync sends it (see feedback.views.onspot._from_json).
function partOf(form) {
  const data = new FormData(form);
  const answers = {};
  for (const [name, value] of data) {
    if (!name.startsWith("answer_") || typeof value !== "string" || !value.trim()) continue;
    const code = name.slice("answer_".length);
    answers[code] = code in answers ? [].concat(answers[code], value) : value;
  }
  const assessor = { declaration: Boolean(data.get("declaration")), confirm_pid: Boolean(data.get("confirm_pid")) };
  for (const name of IDENTITY) assessor[name] = String(data.get(name) || "").trim();
  return { assessor, answers };
}

function notice(form, words) {
  document.querySelector("#onspot-waiting")?.remove();
  const box = element("div", { class: "nhsuk-inset-text", id: "onspot-waiting", role: "status", tabindex: "-1" },
    element("span", { class: "nhsuk-u-visually-hidden" }, "Information: "), element("p", {}, words));
  form.before(box);
  box.focus();
  return box;
}

async function keep(form) {
  const evidenceId = form.dataset.onspotItem;
  const lockVersion = Number(form.querySelector("[name=lock_version]")?.value || 0);
  const record = await drafts.put({
    id: form.dataset.onspotRecord || drafts.newId(), typeCode: form.dataset.onspotType || "", typeName: form.dataset.onspotTypeName || "",
    template: "", evidenceId, lockVersion, url: `/feedback/items/${evidenceId}/on-device`,
    title: form.dataset.onspotTitle || "", fields: [], state: "waiting", itemSynced: true,
    assessment: { ...partOf(form), key: form.querySelector("[name=client_key]")?.value || drafts.newId(),
                  state: "waiting", lockVersion },
  });
  form.dataset.onspotRecord = record.id;
  form.hidden = true;
  notice(form, WAITING_HERE);
  return record;
}

// Back online: the kept part goes to the portfolio; the hand-back page once it is there, else the
// form again with the portfolio's words (the part stays on the device until it is taken).
async function send(form, record) {
  const csrf = form.querySelector("[name=csrf_token]")?.value || "";
  let answer;
  try {
    answer = await fetch(`/feedback/items/${record.evidenceId}/on-device.json`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ idempotency_key: record.assessment.key, lock_version: record.lockVersion,
                             assessor: record.assessment.assessor, answers: record.assessment.answers }),
    });
  } catch {
    return true;  // gone again: it waits
  }
  const body = await answer.json().catch(() => ({}));  // read to the end before leaving the page
  if (answer.status === 200 || answer.status === 201) {
    await drafts.remove(record.id);
    location.assign(`/feedback/items/${record.evidenceId}/on-device/signed`);
    return;
  }
  const words = body.problems ? `${body.error} ${Object.values(body.problems).join(" ")}` : body.error;
  await drafts.remove(record.id);
  form.hidden = false;
  delete form.dataset.onspotRecord;
  notice(form, `The portfolio did not take the assessment: ${words || "try again."} Check the form and sign again.`);
}

export function keepAssessment(form) {
  let kept = null;
  window.addEventListener("online", async () => {
    const record = kept;
    kept = null;  // one send at a time
    if (record && await send(form, record)) kept = record;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!navigator.onLine) {
      kept = await keep(form);
      return;
    }
    let response;
    try {
      response = await fetch(form.action || location.href, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    } catch {
      kept = await keep(form);  // the connection dropped as it was sent
      return;
    }
    await response.text().catch(() => "");  // read to the end before leaving the page
    if (response.redirected) location.assign(response.url);
    else form.submit();  // the portfolio's messages beside the fields: nothing was kept, so it is safe to send again
  });
}
