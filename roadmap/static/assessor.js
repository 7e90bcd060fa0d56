// The assessor's part of a WPBA drafted offline, on the candidate's phone: built from the
// framework's definitions of the assessor's questions (the emailed ticket's), with who they
// are and the declaration. The shell is the same for everyone, so the page never names the
// candidate: it speaks of "the candidate who handed you this phone". What the assessor signs is
// checked for patient identifiers on the device before it is kept with the draft; it is sent at
// the next sync, and counts only once they confirm it from the link emailed to their work
// address. The server checks everything again.
import { problem } from "./pid.js";
import { choiceGroup, element, group, question } from "./fields.js";

export const WAITING = "Waiting to sync: the assessor's confirmation email is sent when you are back online.";
const DECLARATION = "I observed this work myself, the assessment is my own, and I am not the candidate who handed me this phone.";
const IDENTITY = [
  ["name", "Your full name", ""],
  ["role", "Your job title or role", "For example GP partner, advanced practitioner physiotherapist"],
  ["registration_other", "If another regulator, its name", "Only if you chose another regulator"],
  ["registration_number", "Your registration number", "As it appears on your regulator's register, for example 1234567 (GMC) or PH123456 (HCPC)"],
  ["email", "Your work email address", "Your own work address. We email you a link there to confirm what you sign. It cannot be the candidate's address"],
];

// The assessor's sections for a draft: the grades of the headings it links (when the type has
// the assessor grade each), then the type's and its template's own, as definitions.sections.
export function assessorSections(forms, kind, draft) {
  const part = kind.assessor;
  const linked = new Set(draft.fields.filter(([n]) => n === "capabilities").map(([, v]) => String(v)));
  const graded = part.grade_headings ? forms.capabilities.filter((c) => linked.has(String(c.id))).map((c) => ({
    code: `heading_${c.code}`, label: `${c.code}. ${c.title}`, kind: "rating", scale: part.grade_headings,
    required: true, required_message: `Grade ${c.code}. ${c.title}`,
  })) : [];
  return [...(graded.length ? [{ title: part.grades_title, fields: graded }] : []),
    ...part.sections, ...(part.templates[draft.template] || [])];
}

// The labels of what the portfolio may refuse, by field or question code, for the candidate.
export function assessorLabels(forms, kind, draft) {
  const part = kind.assessor;
  const own = [...part.sections, ...(part.templates[draft.template] || [])].flatMap((s) => s.fields);
  return [["name", "Name"], ["role", "Role"], ["registration_body", "Regulator"], ["registration_number", "Registration number"],
    ["registration_other", "Regulator"], ["email", "Work email address"], ["declaration", "Declaration"],
    ...forms.capabilities.map((c) => [`heading_${c.code}`, `${c.code}. ${c.title}`]),
    ...own.map((spec) => [spec.code, spec.label])];
}

// What the assessor reads first: whose phone it is (never by name), then the candidate's part.
export function forAssessor(candidatePart) {
  return [element("div", { class: "nhsuk-warning-callout" },
    element("h2", { class: "nhsuk-warning-callout__label" }, element("span", { role: "text" },
      element("span", { class: "nhsuk-u-visually-hidden" }, "Important: "), "For the assessor only")),
    element("p", {}, "This is the portfolio of the candidate who handed you this phone. This page is for the person who observed them: the candidate must not fill it in.")),
  element("p", {}, "Read what the candidate wrote, complete your assessment, say who you are and sign. Your signature counts only once you confirm it: when this phone is back online we email a link to your work address."),
  element("h2", { class: "nhsuk-heading-m" }, "What the candidate wrote"), candidatePart];
}

export function handedBack() {
  return element("p", {}, "Your assessment is kept on this phone with the candidate's draft. When the phone is back online it is sent, and we email you a link to confirm it: it counts only once you do.");
}

function identityField(name, label, hint, value) {
  return group(name, label, hint || null, element("input", { class: "nhsuk-input", id: name, name,
    type: name === "email" ? "email" : "text", autocomplete: "off",
    spellcheck: ["registration_number", "email"].includes(name) ? "false" : false, value: value || "" }));
}

// The form. `done(part)` gets {assessor, answers} once it passes the device's checks.
export function assessorForm(forms, kind, draft, done) {
  const kept = draft.assessment || {};
  const values = new URLSearchParams();
  for (const [code, value] of Object.entries(kept.answers || {})) {
    for (const one of [].concat(value)) values.append(`answer_${code}`, one);
  }
  const who = kept.assessor || {};
  const form = element("form", { novalidate: true, id: "assessor-form" });
  form.append(element("h2", { class: "nhsuk-heading-m" }, "Your assessment"));
  for (const section of assessorSections(forms, kind, draft)) {
    form.append(element("h3", { class: "nhsuk-heading-s" }, section.title));
    for (const spec of section.fields) form.append(question(spec, values, forms.scales));
  }
  form.append(element("h2", { class: "nhsuk-heading-m" }, "Who you are"),
    element("p", {}, "The candidate's supervisors see who you are and can check your registration with your regulator."));
  for (const [name, label, hint] of IDENTITY.slice(0, 2)) form.append(identityField(name, label, hint, who[name]));
  form.append(choiceGroup("radios", "registration_body", "Your professional regulator", forms.regulators, [who.registration_body || ""]));
  for (const [name, label, hint] of IDENTITY.slice(2)) form.append(identityField(name, label, hint, who[name]));
  if (Object.values(kept.problems || {}).some((message) => /patient/i.test(message))) {
    form.append(choiceGroup("checkboxes", "confirm_pid", "Patient details",
      [{ code: "y", label: "I have checked what I wrote, and nobody could tell from it who the patient is" }], []));
  }
  form.append(element("h2", { class: "nhsuk-heading-m" }, "Declare and sign"),
    choiceGroup("checkboxes", "declaration", "Your declaration", [{ code: "y", label: DECLARATION }], []),
    element("button", { class: "nhsuk-button", type: "submit" }, "Sign as the assessor"));
  for (const [name, message] of Object.entries(kept.problems || {})) {
    const target = form.querySelector(`#${CSS.escape(name)}-group`) ? name : `answer_${name}`;
    if (form.querySelector(`#${CSS.escape(target)}-group`)) fieldError(form, target, message);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const part = check(form, assessorSections(forms, kind, draft));
    if (part) done(part);
  });
  return form;
}

export function fieldError(form, name, message) {
  const groupNode = form.querySelector(`#${CSS.escape(name)}-group`);
  groupNode.classList.add("nhsuk-form-group--error");
  const error = element("span", { class: "nhsuk-error-message", id: `${name}-error` },
    element("span", { class: "nhsuk-u-visually-hidden" }, "Error: "), message);
  groupNode.querySelector("fieldset")?.setAttribute("aria-describedby", `${name}-error`);
  const control = groupNode.querySelector("input[type=text], input[type=email], textarea, select");
  control?.setAttribute("aria-describedby", `${control.getAttribute("aria-describedby") || ""} ${name}-error`.trim());
  // In a fieldset (choices, a date) the message goes inside it, just above the choices.
  const anchor = groupNode.querySelector("input, textarea, select, .nhsuk-date-input, .nhsuk-radios, .nhsuk-checkboxes");
  anchor.parentNode.insertBefore(error, anchor);
  return { name, message };
}

// The device's checks (the server makes them all again): what is required, and no patient
// identifiers in what the assessor wrote. Errors beside the fields and in a summary; else the part.
function check(form, sections) {
  for (const node of form.querySelectorAll(".nhsuk-error-message")) node.remove();
  for (const node of form.querySelectorAll(".nhsuk-form-group--error")) node.classList.remove("nhsuk-form-group--error");
  form.parentNode.querySelector(".nhsuk-error-summary")?.remove();
  const data = new FormData(form);
  const errors = [];
  for (const spec of sections.flatMap((s) => s.fields)) {
    const name = `answer_${spec.code}`;
    const value = data.getAll(name).filter((v) => String(v).trim());
    if (spec.required && !value.length && form.querySelector(`#${CSS.escape(name)}-group`)) {
      errors.push(fieldError(form, name, spec.required_message || `Answer: ${spec.label}`));
    } else if (value.length && problem(value.join(" "))) {
      errors.push(fieldError(form, name, problem(value.join(" ")).replace("the draft", "your assessment")));
    }
  }
  if (!data.get("name")?.trim()) errors.push(fieldError(form, "name", "Enter your full name"));
  if (!data.get("email")?.trim()) errors.push(fieldError(form, "email", "Enter your work email address"));
  if (!data.get("declaration")) errors.push(fieldError(form, "declaration", "Confirm that you observed this and that you are not the candidate"));
  if (errors.length) {
    const box = element("div", { class: "nhsuk-error-summary", role: "alert", tabindex: "-1" },
      element("h2", { class: "nhsuk-error-summary__title" }, "There is a problem"),
      element("div", { class: "nhsuk-error-summary__body" }, element("ul", { class: "nhsuk-list nhsuk-error-summary__list" },
        ...errors.map((e) => element("li", {}, element("a", { href: `#${e.name}-group` }, e.message))))));
    form.before(box);
    box.focus();
    return null;
  }
  const answers = {};
  for (const [name, value] of data) {
    if (!name.startsWith("answer_") || typeof value !== "string") continue;
    const code = name.slice("answer_".length);
    answers[code] = code in answers ? [].concat(answers[code], value) : value;
  }
  const assessor = { declaration: true, confirm_pid: Boolean(data.get("confirm_pid")) };
  for (const name of ["name", "role", "registration_body", "registration_other", "registration_number", "email"]) {
    assessor[name] = String(data.get(name) || "").trim();
  }
  return { assessor, answers };
}
