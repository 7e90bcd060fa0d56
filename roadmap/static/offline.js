// The offline page: the drafts this device keeps for the person signed in here, and forms to
// write new ones, built from the framework's definitions (kept by the service worker). With a
// connection, drafts sync (sync.js); a draft whose item changed elsewhere waits with both
// versions side by side until the candidate chooses which to keep. Nothing is overwritten
// without that choice.
import * as drafts from "./drafts.js";
import { problem } from "./pid.js";
import { syncAll } from "./sync.js";
import { choiceGroup, choicesOf, dateInput, differences, element, group, limitProblem, question } from "./fields.js";
import { WAITING, assessorForm, assessorLabels, forAssessor, handedBack } from "./assessor.js";

const $ = (selector) => document.querySelector(selector);
const app = $("#offline-app");
const status = $("#offline-status");
const list = $("#offline-drafts");
const start = $("#offline-start");
const formArea = $("#offline-form");
const title = $("#offline-title");
let forms = null;

function button(text, onClick, classes = "") {
  const node = element("button", { class: `nhsuk-button ${classes}`.trim(), type: "button" }, text);
  node.addEventListener("click", onClick);
  return node;
}

function kindOf(code) {
  return forms?.types.find((t) => t.code === code);
}

// The type's name, also when the forms are not to hand (the session ended): kept with the draft.
function typeName(kind, draft) {
  if (kind) return kind.name;
  if (draft.typeName) return draft.typeName;
  const words = String(draft.typeCode || "Draft").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function sectionsOf(kind, template) {
  const chosen = kind.templates.find((t) => t.code === template);
  return [...kind.sections, ...(chosen ? chosen.sections : [])];
}

// The label of a form field's name, and its value as words, for the side-by-side view.
function describe(draft, name, value) {
  if (name === "title") return ["Title", value];
  if (name.startsWith("occurred_on-")) return [`Date (${name.split("-")[1]})`, value];
  if (name === "capabilities") {
    const cap = forms?.capabilities.find((c) => String(c.id) === value);
    return ["Capability heading", cap ? `${cap.code}. ${cap.title}` : value];
  }
  const kind = kindOf(draft.typeCode);
  for (const section of kind ? sectionsOf(kind, draft.template) : []) {
    for (const spec of section.fields) {
      if (name === `answer_${spec.code}` || name.startsWith(`answer_${spec.code}-`)) {
        const choice = choicesOf(spec, forms.scales).find((c) => c.code === value);
        return [spec.label, choice ? choice.label : value];
      }
    }
  }
  return [name, value];
}

function summary(draft, fields) {
  // A heading's outcome is chosen online (the offline forms do not carry outcomes' words).
  const rows = fields.filter(([name, value]) => value !== "" && !name.startsWith("outcome_")).map(([name, value]) => {
    const [key, words] = describe(draft, name, value);
    return element("div", { class: "nhsuk-summary-list__row" },
      element("dt", { class: "nhsuk-summary-list__key" }, key),
      element("dd", { class: "nhsuk-summary-list__value roadmap-break-words" }, words));
  });
  return element("dl", { class: "nhsuk-summary-list" }, ...rows);
}

const STATES = {
  waiting: "Waiting to sync",
  saved: "Saved to your portfolio; the assessor's part is not sent yet",
  conflict: "Changed elsewhere: choose which version to keep",
  problem: "Could not be saved yet",
};

async function showDrafts() {
  list.replaceChildren();
  const mine = await drafts.list();
  if (!mine.length) return;
  list.append(element("h2", { class: "nhsuk-heading-m" }, "Waiting to sync"));
  for (const draft of mine) {
    const kind = kindOf(draft.typeCode);
    const card = element("div", { class: "nhsuk-card", "data-draft": draft.id },
      element("div", { class: "nhsuk-card__content" },
        element("h3", { class: "nhsuk-card__heading" }, draft.title || "Untitled draft"),
        element("p", { class: "nhsuk-card__description" },
          `${typeName(kind, draft)}. ${STATES[draft.itemSynced ? "saved" : draft.state] || STATES.waiting}.`)));
    const content = card.firstChild;
    if (draft.state === "problem") content.append(element("p", { class: "nhsuk-error-message" }, draft.problem));
    if (draft.state === "conflict") {
      content.append(conflictView(draft));
    } else if (kind && !draft.itemSynced) {
      content.append(button("Continue writing", () => showForm(kind, draft.template, draft), "nhsuk-button--secondary"));
      if (kind.assessor && !draft.assessment) content.append(button("Hand to your assessor", () => handOver(kind, draft)));
    }
    if (draft.assessment && kind) content.append(assessorState(kind, draft));
    list.append(card);
  }
}

// The assessor's part kept with a draft: waiting, refused by the portfolio (its messages, and
// the phone back to the assessor to fix them) or refused because the item changed.
function assessorState(kind, draft) {
  const part = draft.assessment;
  const box = element("div", { class: "nhsuk-inset-text" }, element("span", { class: "nhsuk-u-visually-hidden" }, "Information: "));
  if (part.state === "problem") {
    const labels = Object.fromEntries(assessorLabels(forms, kind, draft));
    box.append(element("p", {}, "The portfolio did not take the assessor's part. Nothing was sent to them yet:"),
      element("ul", {}, ...Object.entries(part.problems || {}).map(([code, message]) =>
        element("li", {}, `${labels[code] || code}: ${message}`))),
      button("Hand the phone back to your assessor to fix it", () => handOver(kind, draft)));
  } else if (part.state === "changed") {
    box.append(element("p", {}, `The assessor's part was not sent: ${part.error}`),
      element("p", {}, "This happens when the item was changed somewhere else after your assessor completed their part: they must assess it as it is now. Their answers are kept on this device."),
      element("div", { class: "nhsuk-button-group" },
        button("Hand to your assessor again", () => handOver(kind, draft)),
        button("Delete the assessor's part", async () => {
          await drafts.put({ ...draft, assessment: undefined });
          if (draft.itemSynced) await drafts.remove(draft.id);
          say("The assessor's part was deleted from this device.");
          await refresh(false);
        }, "nhsuk-button--secondary")));
  } else {
    box.append(element("p", {}, `The assessor's part: ${WAITING}`));
  }
  return box;
}

// Assessor mode: the drafts, the status and the way to write new ones are put away; the
// assessor reads what the candidate wrote and completes their part.
function assessorMode(on, heading) {
  for (const node of [app, status, list, start]) node.hidden = on;
  title.textContent = on ? heading : "Drafts on this device";
  document.title = `${title.textContent} - Roadmap`;
}

function handOver(kind, draft) {
  assessorMode(true, `Assess the candidate's ${kind.name}`);
  const form = assessorForm(forms, kind, draft, async (part) => {
    const before = draft.assessment || {};
    await drafts.put({ ...draft, assessment: { ...part, key: before.key || drafts.newId(), state: "waiting",
      lockVersion: before.state === "changed" ? undefined : before.lockVersion } });
    handBack();
  });
  formArea.replaceChildren(...forAssessor(summary(draft, draft.fields)), form);
  if (form.querySelector(".nhsuk-error-message")) form.querySelector(".nhsuk-form-group--error input, .nhsuk-form-group--error textarea")?.focus();
  else title.scrollIntoView();
}

function handBack() {
  title.textContent = "Thank you: hand the phone back";
  formArea.replaceChildren(handedBack(), button("I am the candidate: back to my drafts", async () => {
    assessorMode(false);
    formArea.replaceChildren();
    say(WAITING);
    await refresh(navigator.onLine);
  }));
  title.scrollIntoView();
}

function changedSummary(draft, fields, changed) {
  const list = summary(draft, fields);
  for (const row of list.querySelectorAll(".nhsuk-summary-list__key")) {
    row.append(" ", element("strong", { class: "nhsuk-tag nhsuk-tag--yellow" }, "Changed"));
  }
  if (!fields.length) list.append(element("p", {}, "Not answered in this version."));
  return changed.length ? list : element("p", {}, "No differences.");
}

function conflictView(draft) {
  const id = draft.id.slice(0, 8);
  const diff = differences(draft);
  const mine = element("div", { class: "nhsuk-grid-column-one-half" },
    element("h4", { id: `mine-${id}` }, "Your version, on this device"), changedSummary(draft, diff.mine, diff.changed));
  const theirs = element("div", { class: "nhsuk-grid-column-one-half" },
    element("h4", { id: `theirs-${id}` }, "The version saved in your portfolio"), changedSummary(draft, diff.theirs, diff.changed));
  const both = diff.same.length ? element("details", { class: "nhsuk-details" },
    element("summary", { class: "nhsuk-details__summary" }, element("span", { class: "nhsuk-details__summary-text" },
      "The same in both versions")),
    element("div", { class: "nhsuk-details__text" }, summary(draft, diff.same))) : "";
  const keepMine = button("Keep mine", async () => {
    await drafts.put({ ...draft, state: "waiting", lockVersion: draft.theirLock, theirs: undefined });
    await refresh(true);
  });
  const keepTheirs = button("Keep theirs", async () => {
    await drafts.remove(draft.id);
    say(`Your draft of "${draft.title}" was deleted from this device; the portfolio keeps its version.`);
    await refresh(false);
  }, "nhsuk-button--secondary");
  const copy = button("Copy mine and start from theirs", async () => {
    const next = await drafts.put({ ...draft, state: "waiting", fields: draft.theirs, copied: draft.fields,
                                    lockVersion: draft.theirLock, theirs: undefined });
    showForm(kindOf(draft.typeCode), draft.template, next);
  }, "nhsuk-button--secondary");
  return element("div", {},
    element("p", {}, "This item was changed somewhere else after you started this draft. Both versions are below: nothing is saved over until you choose."),
    element("div", { class: "nhsuk-grid-row" }, mine, theirs), both,
    element("div", { class: "nhsuk-button-group" }, keepMine, keepTheirs, copy));
}

function showStart() {
  start.replaceChildren();
  if (!forms) return;
  const links = forms.types.map((kind) => element("li", {},
    button(`New ${kind.name}`, () => chooseTemplate(kind), "nhsuk-button--secondary")));
  start.append(element("h2", { class: "nhsuk-heading-m" }, "Write a new draft"),
    element("ul", { class: "nhsuk-list" }, ...links));
}

function chooseTemplate(kind) {
  if (!kind.templates.length) return showForm(kind, "", null);
  formArea.replaceChildren();
  const items = kind.templates.map((t, i) => element("div", { class: "nhsuk-radios__item" },
    element("input", { class: "nhsuk-radios__input", id: `template-${i}`, name: "template", type: "radio", value: t.code, checked: i === 0 }),
    element("label", { class: "nhsuk-label nhsuk-radios__label", for: `template-${i}` }, t.name)));
  const fieldset = element("fieldset", { class: "nhsuk-fieldset" },
    element("legend", { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--m" },
      element("h2", { class: "nhsuk-fieldset__heading", tabindex: "-1" }, `Which kind of ${kind.name.toLowerCase()}?`)),
    element("div", { class: "nhsuk-radios" }, ...items));
  const go = button("Continue", () => showForm(kind, formArea.querySelector("input:checked").value, null));
  formArea.append(element("div", { class: "nhsuk-form-group" }, fieldset), go);
  formArea.querySelector("h2").focus();  // as a type without templates focuses its form
}

function showForm(kind, template, draft) {
  const values = new URLSearchParams();
  for (const [name, value] of draft ? draft.fields : []) values.append(name, value);
  const form = element("form", { novalidate: true, id: "offline-draft-form" },
    group("title", "Title", "A short title you will recognise. No patient details.",
      element("input", { class: "nhsuk-input", id: "title", name: "title", type: "text", value: values.get("title") || "" })),
    dateInput("occurred_on", "Date (optional until you submit)", values));
  for (const section of sectionsOf(kind, template)) {
    form.append(element("h3", { class: "nhsuk-heading-s" }, section.title));
    for (const spec of section.fields) form.append(question(spec, values, forms.scales));
  }
  form.append(choiceGroup("checkboxes", "capabilities", "Which capability headings does it show? (optional)",
    forms.capabilities.map((c) => ({ code: String(c.id), label: `${c.code}. ${c.title}` })), values.getAll("capabilities")));
  form.append(element("p", { class: "nhsuk-body-s", id: "offline-files" }, draft?.evidenceId
    ? "Files are added once you are online. The files already attached to this item stay attached."
    : "Files are added once you are online, from the item in your portfolio."));
  form.append(element("button", { class: "nhsuk-button", type: "submit" }, "Keep on this device"));
  form.addEventListener("submit", (event) => { event.preventDefault(); keep(form, kind, template, draft); });
  const heading = element("h2", { class: "nhsuk-heading-m", tabindex: "-1" },
    `${draft ? "Continue" : "New"}: ${kind.name}`);
  formArea.replaceChildren(heading);
  if (draft?.copied) {
    formArea.append(element("details", { class: "nhsuk-details", open: true },
      element("summary", { class: "nhsuk-details__summary" }, element("span", { class: "nhsuk-details__summary-text" }, "Your version, to copy from")),
      element("div", { class: "nhsuk-details__text" }, summary(draft, draft.copied))));
  }
  formArea.append(element("p", { class: "nhsuk-body-s" }, "Write about the problem, not the person: no names, dates of birth, NHS numbers or addresses."), form);
  heading.focus();
}

function fieldError(form, name, message) {
  const groupNode = form.querySelector(`#${CSS.escape(name)}-group`);
  groupNode.classList.add("nhsuk-form-group--error");
  const error = element("span", { class: "nhsuk-error-message", id: `${name}-error` },
    element("span", { class: "nhsuk-u-visually-hidden" }, "Error: "), message);
  const control = groupNode.querySelector("input, textarea, select");
  groupNode.insertBefore(error, groupNode.querySelector("input, textarea, select, .nhsuk-date-input, .nhsuk-radios, .nhsuk-checkboxes"));
  control?.setAttribute("aria-describedby", `${control.getAttribute("aria-describedby") || ""} ${name}-error`.trim());
  return { name, message };
}

async function keep(form, kind, template, draft) {
  for (const node of form.querySelectorAll(".nhsuk-error-message")) node.remove();
  for (const node of form.querySelectorAll(".nhsuk-form-group--error")) node.classList.remove("nhsuk-form-group--error");
  formArea.querySelector(".nhsuk-error-summary")?.remove();
  const errors = [];
  if (!form.elements.namedItem("title").value.trim()) errors.push(fieldError(form, "title", "Enter a title"));
  for (const box of form.querySelectorAll("textarea, input[type=text]")) {
    const found = problem(box.value);
    if (found) errors.push(fieldError(form, box.name.replace(/-(day|month|year)$/, ""), found));
  }
  for (const spec of sectionsOf(kind, template).flatMap((section) => section.fields)) {
    const box = form.elements.namedItem(`answer_${spec.code}`);
    const found = box && !form.querySelector(`#answer_${CSS.escape(spec.code)}-error`) && limitProblem(spec, box.value || "");
    if (found) errors.push(fieldError(form, `answer_${spec.code}`, found));
  }
  if (errors.length) {
    const summaryBox = element("div", { class: "nhsuk-error-summary", role: "alert", tabindex: "-1" },
      element("h2", { class: "nhsuk-error-summary__title" }, "There is a problem"),
      element("div", { class: "nhsuk-error-summary__body" }, element("ul", { class: "nhsuk-list nhsuk-error-summary__list" },
        ...errors.map((e) => element("li", {}, element("a", { href: `#${e.name}-group` }, e.message))))));
    form.before(summaryBox);
    summaryBox.focus();
    return;
  }
  const query = template ? `?template=${encodeURIComponent(template)}` : "";
  const fields = [...new FormData(form)].filter(([, value]) => typeof value === "string");
  // What the offline form does not ask (a heading's outcome, chosen online) goes on unchanged.
  fields.push(...(draft?.fields || []).filter(([name]) => !form.elements.namedItem(name)
    && !name.startsWith("occurred_on-") && !name.startsWith("answer_")));
  const kept = await drafts.put({
    id: draft?.id || drafts.newId(), typeCode: kind.code, typeName: kind.name, template,
    evidenceId: draft?.evidenceId || "", lockVersion: draft?.lockVersion || "",
    url: draft?.url || `/portfolio/evidence/new/${kind.code}${query}`, attempt: draft?.attempt || 0,
    title: form.elements.namedItem("title").value.trim(), fields, state: "waiting", copied: draft?.copied,
  });
  formArea.replaceChildren();
  say(`"${kept.title}" is kept on this device.`);
  await refresh(navigator.onLine);
}

function say(words, ...more) {
  status.replaceChildren(element("p", {}, words, ...more));
}

async function refresh(sync) {
  if (sync && navigator.onLine) {
    let results = {};
    try {
      results = await syncAll();
    } catch { /* the connection went: drafts wait */ }
    const synced = Object.values(results).filter((r) => r.state === "synced" || r.item === "synced").length;
    const sent = Object.values(results).filter((r) => r.state === "sent")
      .map((r) => `The assessor's part was sent: we emailed ${r.email} a link to confirm it. `);
    if (Object.values(results).some((r) => r.state === "signin")) {
      say("Sign in to save your drafts to your portfolio. ", element("a", { href: "/sign-in?next=/offline" }, "Sign in"));
    } else if (synced || sent.length) {
      say(synced ? `${synced === 1 ? "1 draft was" : `${synced} drafts were`} saved to your portfolio. ` : "", ...sent,
        element("a", { href: "/portfolio/evidence" }, "See your evidence"));
    }
  }
  await showDrafts();
  const waiting = (await drafts.list()).length;
  app.replaceChildren(element("p", {}, navigator.onLine
    ? "You are online. Drafts kept on this device are saved to your portfolio when you open this page."
    : "You are offline. What you write is kept on this device, for you only, and saved to your portfolio when you are back online."),
  element("p", {}, waiting ? `${waiting === 1 ? "1 draft is" : `${waiting} drafts are`} waiting to sync.` : "No drafts are waiting to sync."));
}

// The offline page stands in for any page that could not load. Opened for an assessor's page
// (its address), or while this device is in assessor mode, it shows the assessor nothing of the
// drafts: only that the phone goes back to the candidate.
const ASSESSOR_PAGE = /^\/feedback\/items\/\d+\/on-device\/(assess|signed)$/;

function forAssessorOnly() {
  return ASSESSOR_PAGE.test(location.pathname) || new URLSearchParams(location.search).has("assessor")
    || drafts.assessorMode();
}

async function main() {
  if (forAssessorOnly()) {
    for (const node of [status, list, start, formArea]) node.replaceChildren();
    title.textContent = "You are offline: hand the phone back to the candidate";
    document.title = `${title.textContent} - Roadmap`;
    app.replaceChildren(element("p", {}, "This page cannot be opened without a connection. Give the phone back to the candidate."));
    return;
  }
  if (!drafts.owner()) {
    app.replaceChildren(element("p", {}, "Sign in to write drafts on this device. ",
      element("a", { href: "/sign-in" }, "Sign in")));
    return;
  }
  try {
    const response = await fetch(drafts.formsUrl(), { credentials: "same-origin" });
    forms = response.ok ? await response.json() : null;
  } catch {
    forms = null;
  }
  if (!forms) say("The forms are not on this device yet. Open Roadmap once with a connection.");
  showStart();
  await refresh(true);
  window.addEventListener("online", () => refresh(true));
  window.addEventListener("offline", () => refresh(false));
}

main();
