// The strongest checks of roadmap/pid, ported to run on the device before a draft is kept
// (rule D9): NHS numbers with a valid check digit, emails, UK postcodes and phone numbers, and
// dates of birth. The server checks everything again when the draft reaches it.
const NHS = /(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)/g;
const EMAIL = /(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,6}\.[A-Za-z]{2,24}\b/g;
const POSTCODE = /(?<!\w)(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?!\w)/gi;
const ORDINAL = /\d(?:st|nd|rd|th)$/;
const PHONE = /(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)/g;
const MONTHS = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const DATE = new RegExp("(?<![\\w/.-])(?:\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})|\\d{4}-\\d{1,2}-\\d{1,2}"
  + `|\\d{1,2}(?:st|nd|rd|th)?\\s{1,3}${MONTHS}\\.?,?\\s{1,3}\\d{4}`
  + `|${MONTHS}\\.?\\s{1,3}\\d{1,2}(?:st|nd|rd|th)?,?\\s{1,3}\\d{4})(?![\\w/])`, "gi");
const BIRTH = /\b(?:d\.?o\.?b|born|date\s+of\s+birth|birth\s*date|birthday)\b/i;

export const LABELS = {
  nhs_number: "an NHS number", email: "an email address", postcode: "a postcode",
  phone: "a phone number", date_of_birth: "a date of birth",
};

// The NHS number's modulus 11 check digit.
function validNhs(digits) {
  const total = [...digits.slice(0, 9)].reduce((sum, d, i) => sum + Number(d) * (10 - i), 0);
  const check = 11 - (total % 11);
  return check !== 10 && (check === 11 ? 0 : check) === Number(digits[9]);
}

// What may identify a patient in the text: [{kind, text}], empty when nothing was found.
export function findings(text) {
  const found = [];
  for (const m of text.matchAll(NHS)) {
    if (validNhs(m.slice(1).join(""))) found.push({ kind: "nhs_number", text: m[0] });
  }
  for (const m of text.matchAll(EMAIL)) found.push({ kind: "email", text: m[0] });
  for (const m of text.matchAll(POSTCODE)) {
    if (!(ORDINAL.test(m[0]) && m[0] !== m[0].toUpperCase())) found.push({ kind: "postcode", text: m[0] });
  }
  for (const m of text.matchAll(PHONE)) found.push({ kind: "phone", text: m[0] });
  for (const m of text.matchAll(DATE)) {
    if (BIRTH.test(text.slice(Math.max(0, m.index - 30), m.index))) {
      found.push({ kind: "date_of_birth", text: m[0] });
    }
  }
  return found;
}

// One sentence for a field's error message, or "" when the text looks clear.
export function problem(text) {
  const kinds = [...new Set(findings(text).map((f) => LABELS[f.kind]))];
  if (!kinds.length) return "";
  return `This may identify a patient (${kinds.join(", ")}). Remove it before you keep the draft`;
}
