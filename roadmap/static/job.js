// The export progress page (templates/exports/job.html) without reloading it (WCAG 2.2.1: a page
// that reloads itself makes a screen reader read it again and sends focus back to the top).
// Every 1.5 seconds it asks the job's status (JSON, for its owner only) and updates the bar and
// its message in place. One polite live region says only what matters: that the file is ready,
// that the export failed, that the page stopped updating (its paragraph, with the link to
// refresh, is moved into the region: the sentence is on the page once, so read once), and at
// most every 10 seconds how far it has got. When the file is
// ready, its download button takes the bar's place and focus goes to the heading above it; when
// the export failed, the page is loaded once more, to show why and a Try again button.
const POLL_MS = 1500;
const SAY_EVERY_MS = 10_000;
const GIVE_UP_AFTER = 5; // failed requests in a row: the page then says to refresh it by hand

const job = document.getElementById("export-job");

function start() {
  const bar = document.getElementById("export-progress");
  const message = document.getElementById("export-message");
  const live = document.getElementById("export-live");
  const announce = document.getElementById("export-announce");
  const manual = document.getElementById("export-no-script");
  const stopped = document.getElementById("export-stopped");
  const done = document.getElementById("export-done");
  let lastSaid = Date.now(); // the page itself was just read out: no progress sentence at once
  let said = "";
  let misses = 0;

  function say(text) {
    announce.textContent = text;
    said = text;
    lastSaid = Date.now();
  }

  function show(status) {
    const percent = Math.max(0, Math.min(100, Number(status.percent) || 0));
    bar.value = percent;
    bar.textContent = `${percent}%`;
    if (status.message && message.textContent !== status.message) message.textContent = status.message;
    const sentence = `${percent}% done. ${status.message || ""}`.trim();
    if (Date.now() - lastSaid >= SAY_EVERY_MS && sentence !== said) say(sentence);
  }

  function ready() {
    job.replaceWith(done.content.cloneNode(true));
    say(`Ready: your ${job.dataset.kind} can be downloaded.`);
    const heading = document.getElementById("export-ready");
    if (heading) heading.focus();
  }

  async function poll() {
    let status;
    let signedOut = false;
    try {
      const response = await fetch(job.dataset.status, {
        credentials: "same-origin", cache: "no-store", redirect: "manual",
        headers: { Accept: "application/json" },
      });
      signedOut = response.type === "opaqueredirect"; // sent to sign in: no use asking again
      status = response.ok ? await response.json() : null;
      if (!response.ok) await response.text();
    } catch {
      status = null;
    }
    if (status === null) {
      misses += 1;
      if (signedOut || misses >= GIVE_UP_AFTER) {
        // Signed out (the status answers with the sign-in page, which fetch refuses to follow)
        // or the connection dropped: the person refreshes by hand, and is told why.
        announce.textContent = "";
        stopped.hidden = false;
        live.append(stopped); // inserted into the status region: said once, shown once
        return;
      }
    } else {
      misses = 0;
      if (status.state === "done") {
        ready();
        return;
      }
      if (status.state === "failed") {
        say("The export failed.");
        window.location.reload(); // once: the failed page loads no script
        return;
      }
      show(status);
    }
    window.setTimeout(poll, POLL_MS);
  }

  manual.hidden = true;
  window.setTimeout(poll, POLL_MS);
}

if (job) start();
