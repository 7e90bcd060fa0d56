// Send a draft kept on this device to the portfolio through the ordinary evidence form: fetch
// the form (for a fresh CSRF token, and the item as it is now), then post the draft's answers
// with the device's own one-time form token, so a sync repeated (two tabs, a retry after a
// dropped answer) finds the first one's item instead of making a second. The item's version
// goes with an edit: if the item changed meanwhile the server refuses (optimistic locking) and
// the draft waits with both versions for the candidate to choose.
import * as drafts from "./drafts.js";

// Form fields that are not answers: the server's own, or the buttons.
const NOT_ANSWERS = new Set(["csrf_token", "form_token", "lock_version", "action"]);

export function answersOf(form) {
  return [...new FormData(form)].filter(([name, value]) => !NOT_ANSWERS.has(name)
    && typeof value === "string");
}

function parse(html) {
  return new DOMParser().parseFromString(html, "text/html");
}

function signInPage(response) {
  return new URL(response.url).pathname.startsWith("/sign-in");
}

const ALREADY = "Your answers were already saved.";

function sameFields(a, b) {
  const norm = (fields) => JSON.stringify(fields.filter(([, v]) => v !== "").map(([n, v]) => [n, v]).sort());
  return norm(a) === norm(b);
}

// A repeated token: an edit is "synced" when the item holds this draft's answers, else it
// changed meanwhile ("conflict", both versions shown); a new item's draft is left as it is for
// the tab that sent it ("already").
async function recheck(draft) {
  if (!draft.evidenceId) return { state: "already" };
  const opened = await fetch(draft.url, { credentials: "same-origin" });
  const html = await opened.text();
  if (signInPage(opened)) return { state: "signin" };
  const form = opened.ok && parse(html).querySelector("form[data-autosave]");
  if (!form) return { state: "already" };
  const theirs = answersOf(form);
  if (sameFields(theirs, draft.fields)) return { state: "synced", evidenceId: String(draft.evidenceId) };
  return { state: "conflict", theirs, theirLock: form.querySelector("[name=lock_version]")?.value || "" };
}

// One draft: "synced" (with the item's id), "conflict", "problem" (the server's words) or
// "signin" (the session ended); a failed connection throws, and the draft stays as it was.
export async function syncDraft(draft) {
  const opened = await fetch(draft.url, { credentials: "same-origin" });
  const html = await opened.text();
  if (signInPage(opened)) return { state: "signin" };
  const form = opened.ok && parse(html).querySelector("form[data-autosave]");
  if (!form) return { state: "problem", problem: "The form for this draft could not be opened." };
  const body = new URLSearchParams();
  body.set("csrf_token", form.querySelector("[name=csrf_token]")?.value || "");
  // A new token after each refusal: the server remembers a token it refused, too.
  body.set("form_token", `${draft.id}.${draft.attempt || 0}`);
  body.set("lock_version", draft.evidenceId ? String(draft.lockVersion ?? "") : "");
  body.set("action", "draft");
  for (const [name, value] of draft.fields) body.append(name, value);
  const saved = await fetch(draft.url, { method: "POST", body, credentials: "same-origin" });
  const answer = await saved.text();
  if (signInPage(saved)) return { state: "signin" };
  const item = new URL(saved.url).pathname.match(/^\/portfolio\/evidence\/(\d+)$/);
  const again = parse(answer);
  // The token was used already: another tab (or an earlier try) sent this draft. What it came
  // to is read from the item itself, never guessed from the repeat's answer.
  const listed = new URL(saved.url).pathname === "/portfolio/evidence";
  const repeat = saved.ok && (listed || again.querySelector("main")?.textContent.includes(ALREADY));
  // A new item's repeat that found the item: the first post made it.
  if (repeat && !(item && !draft.evidenceId)) return recheck(draft);
  if (saved.ok && item) return { state: "synced", evidenceId: item[1] };
  const refused = again.querySelector("form[data-autosave]");
  if (refused && refused.hasAttribute("data-stale")) {
    return { state: "conflict", theirs: answersOf(form),
             theirLock: form.querySelector("[name=lock_version]")?.value || "" };
  }
  const summary = again.querySelector(".nhsuk-error-summary");
  const words = summary ? [...summary.querySelectorAll("li")].map((li) => li.textContent.trim()).join(" ")
    : "The portfolio could not save this draft.";
  return { state: "problem", problem: words };
}

// The assessor's part of a draft whose item is in the portfolio now: sent as JSON with the key
// made on the device when they signed, so a second sync finds the first (one assessment, one
// email). The item's version is the one the portfolio gave the draft when it synced: an edit
// made since (elsewhere) is refused and explained, never assessed unseen.
// "sent" (with the assessor's email), "problem" (the server's messages by field), "changed"
// (the server's words) or "signin"; a failed connection throws and the part stays queued.
export async function syncAssessment(draft) {
  const part = draft.assessment;
  // ?sync=1: reading the form for its token does not put this session in assessor mode.
  const page = `/feedback/items/${draft.evidenceId}/on-device/assess?sync=1`;
  const opened = await fetch(page, { credentials: "same-origin" });
  const html = await opened.text();
  if (signInPage(opened)) return { state: "signin" };
  const form = opened.ok && parse(html).querySelector("form [name=lock_version]")?.form;
  if (!form) return { state: "changed", error: "This item can no longer be assessed." };
  const lockVersion = part.lockVersion ?? Number(form.querySelector("[name=lock_version]").value);
  const sent = await fetch(`/feedback/items/${draft.evidenceId}/on-device.json`, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json",
               "X-CSRFToken": form.querySelector("[name=csrf_token]")?.value || "" },
    body: JSON.stringify({ idempotency_key: part.key, lock_version: lockVersion,
                           assessor: part.assessor, answers: part.answers }),
  });
  if (signInPage(sent)) return { state: "signin" };
  const answer = await sent.json().catch(() => ({}));
  if (sent.status === 200 || sent.status === 201) return { state: "sent", email: answer.email, lockVersion };
  if (sent.status === 400 && answer.problems) return { state: "problem", problems: answer.problems, lockVersion };
  return { state: "changed", lockVersion,
           error: answer.error || "The portfolio could not take the assessor's part." };
}

// Every draft waiting to sync, one after another; what happened to each, by id. A draft with
// the assessor's part goes first as the item (the existing path), then that part: the record
// stays on the device until both are in the portfolio.
export async function syncAll() {
  const results = {};
  for (let draft of await drafts.list()) {
    if (draft.state === "conflict") continue;  // waits for the candidate's choice
    let result, item;
    try {
      if (!draft.itemSynced) {
        result = item = await syncDraft(draft);
        if (result.state === "synced" && draft.assessment) {
          draft = await drafts.put({ ...draft, itemSynced: true, evidenceId: result.evidenceId,
                                     state: "waiting", problem: undefined });
        }
      }
      if (draft.itemSynced && draft.assessment?.state === "waiting") {
        result = { ...await syncAssessment(draft), item: item?.state };
      }
    } catch {
      results[draft.id] = { state: "offline" };
      break;  // the connection went: the rest wait too
    }
    if (!result || result.state === "already") continue;  // waits: for the candidate, or the other tab
    results[draft.id] = result;
    if (result.state === "synced" || result.state === "sent") {
      await drafts.remove(draft.id);
    } else if (result.state === "problem" && result.problems || result.state === "changed") {
      await drafts.put({ ...draft, assessment: { ...draft.assessment, state: result.state,
        problems: result.problems, error: result.error, lockVersion: result.lockVersion } });
    } else if (result.state === "conflict") {
      await drafts.put({ ...draft, state: "conflict", theirs: result.theirs,
                         theirLock: result.theirLock, attempt: (draft.attempt || 0) + 1 });
    } else if (result.state === "problem") {
      await drafts.put({ ...draft, state: "problem", problem: result.problem,
                         attempt: (draft.attempt || 0) + 1 });
    } else {
      break;  // signed out: nothing more can sync now
    }
  }
  return results;
}
