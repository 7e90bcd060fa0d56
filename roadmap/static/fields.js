// The offline page's form fields, built from the framework's question definitions in the
// NHS.UK frontend's markup, named as the server's evidence form names them (title,
// occurred_on-day, answer_<code>, capabilities), so a draft posts to that form unchanged;
// with the checks the device makes on them, and the comparison of two versions of a draft.

export function element(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== false && value !== undefined) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function choicesOf(spec, scales) {
  if (spec.kind === "rating") return scales[spec.scale]?.levels || [];
  return spec.options || [];
}

export function group(id, labelText, hint, control) {
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return element("div", { class: "nhsuk-form-group", id: `${id}-group` },
    element("label", { class: "nhsuk-label", for: id }, labelText),
    hint ? element("div", { class: "nhsuk-hint", id: `${id}-hint` }, hint) : null, control);
}

export function dateInput(name, label, values) {
  const parts = ["day", "month", "year"].map((part) => element("div", { class: "nhsuk-date-input__item" },
    element("div", { class: "nhsuk-form-group" },
      element("label", { class: "nhsuk-label nhsuk-date-input__label", for: `${name}-${part}` }, part[0].toUpperCase() + part.slice(1)),
      element("input", { class: `nhsuk-input nhsuk-date-input__input nhsuk-input--width-${part === "year" ? 4 : 2}`,
        id: `${name}-${part}`, name: `${name}-${part}`, type: "text", inputmode: "numeric", value: values.get(`${name}-${part}`) || "" }))));
  return element("div", { class: "nhsuk-form-group", id: `${name}-group` },
    element("fieldset", { class: "nhsuk-fieldset", role: "group" },
      element("legend", { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--s" }, label),
      element("div", { class: "nhsuk-date-input" }, ...parts)));
}

// A choice's description (a scale level's, as the framework words it) is its item's hint.
export function choiceGroup(type, name, label, choices, chosen) {
  const items = choices.map((c, i) => element("div", { class: `nhsuk-${type}__item` },
    element("input", { class: `nhsuk-${type}__input`, id: `${name}-${i}`, name, type: type === "radios" ? "radio" : "checkbox",
      value: c.code, checked: chosen.includes(String(c.code)),
      "aria-describedby": c.description ? `${name}-${i}-item-hint` : false }),
    element("label", { class: `nhsuk-label nhsuk-${type}__label`, for: `${name}-${i}` }, c.label),
    c.description ? element("div", { class: `nhsuk-hint nhsuk-${type}__hint`, id: `${name}-${i}-item-hint` }, c.description) : null));
  return element("div", { class: "nhsuk-form-group", id: `${name}-group` },
    element("fieldset", { class: "nhsuk-fieldset" },
      element("legend", { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--s" }, label),
      element("div", { class: `nhsuk-${type}` }, ...items)));
}

export function question(spec, values, scales) {
  const name = `answer_${spec.code}`;
  const label = spec.required ? spec.label : `${spec.label} (optional)`;
  const chosen = values.getAll(name);
  if (spec.kind === "textarea") {
    return group(name, label, spec.hint, element("textarea", { class: "nhsuk-textarea", id: name, name, rows: "5" }, chosen[0] || ""));
  }
  if (spec.kind === "text" || spec.kind === "number") {
    return group(name, label, spec.hint, element("input", { class: "nhsuk-input", id: name, name, type: "text",
      inputmode: spec.kind === "number" ? "decimal" : false, value: chosen[0] || "" }));
  }
  if (spec.kind === "date") return dateInput(name, label, values);
  if (spec.kind === "select") {
    const options = [element("option", { value: "" }, "Choose one"),
      ...choicesOf(spec, scales).map((c) => element("option", { value: c.code, selected: chosen.includes(c.code) }, c.label))];
    return group(name, label, spec.hint, element("select", { class: "nhsuk-select", id: name, name }, ...options));
  }
  return choiceGroup(spec.kind === "checkboxes" ? "checkboxes" : "radios", name, label, choicesOf(spec, scales), chosen);
}

// The definition's limits, checked as the server will (framework/kinds.py, form_limits.py):
// the most words, and a number (within its range) where a number is asked for.
export function limitProblem(spec, value) {
  const text = String(value).trim();
  if (!text) return null;
  const words = text.split(/\s+/).length;
  if (spec.max_words && words > spec.max_words) return `${spec.label} must be ${spec.max_words} words or fewer (you have ${words})`;
  if (spec.kind !== "number") return null;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) return `${spec.label} must be a number`;
  const number = Number(text);
  const has = (bound) => bound !== undefined && bound !== null;
  if (has(spec.min) && has(spec.max) && (number < spec.min || number > spec.max)) return `${spec.label} must be between ${spec.min} and ${spec.max}`;
  if (has(spec.min) && number < spec.min) return `${spec.label} must be ${spec.min} or more`;
  if (has(spec.max) && number > spec.max) return `${spec.label} must be ${spec.max} or fewer`;
  return null;
}

// The fields of two versions, by name (a field may hold several values).
function byName(fields) {
  const found = new Map();
  for (const [name, value] of fields) {
    if (value === "" || name.startsWith("outcome_")) continue;
    found.set(name, [...(found.get(name) || []), value]);
  }
  return found;
}

// What differs, side by side, each field marked "Changed"; what is the same, once, below.
export function differences(draft) {
  const mine = byName(draft.fields);
  const theirs = byName(draft.theirs || []);
  const names = [...new Set([...mine.keys(), ...theirs.keys()])];
  const same = (name) => JSON.stringify(mine.get(name) || []) === JSON.stringify(theirs.get(name) || []);
  const pick = (found, list) => list.flatMap((name) => (found.get(name) || []).map((value) => [name, value]));
  const changed = names.filter((name) => !same(name));
  return { changed, mine: pick(mine, changed), theirs: pick(theirs, changed), same: pick(mine, names.filter(same)) };
}
