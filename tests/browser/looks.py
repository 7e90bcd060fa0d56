"""What a person sees on a page, checked: it fits the window, shows no markup as text, keeps
its table labels' words whole, has one h1 and a title, and passes axe-core against WCAG 2.2 AA.

axe-core does not see layout: a table wider than the window, a page that scrolls sideways on a
phone, or a link escaped into visible text all pass it. `look` measures those in the page.
"""
from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from .axe import axe_source, format_violations

# WCAG 2.2 AA as axe tags it: what the service must meet (best practice is the other tests').
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Measured in the page. An element "sticks out" when its right edge passes the window's; the
# deepest such elements name the culprit. A box "hides content sideways" when it scrolls
# horizontally (overflow-x auto or scroll) and holds more than it shows: nothing may scroll
# sideways, in the page or in a box of it. Escaped markup is text that reads as a tag or an
# entity: `<a href=...>` or `&lt;` in what the page renders.
MEASURE = r"""() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const name = el => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    const classes = typeof el.className === "string" ? el.className.trim().split(/\s+/) : [];
    if (classes[0]) text += "." + classes.slice(0, 2).join(".");
    return text;
  };
  const path = el => {
    const parts = [];
    for (let at = el; at && at !== document.body && parts.length < 4; at = at.parentElement) {
      parts.unshift(name(at));
    }
    return parts.join(" > ");
  };
  // Inside a box that clips or scrolls, an element's edge is the box's business, not the page's.
  const clipped = el => {
    for (let at = el.parentElement; at && at !== document.body; at = at.parentElement) {
      if (getComputedStyle(at).overflowX !== "visible") return true;
    }
    return false;
  };
  const all = Array.from(document.body.querySelectorAll("*"));
  // An element's right edge, or its content's when it overflows the element (a long word).
  const right = el => {
    const box = el.getBoundingClientRect();
    return Math.max(box.right, box.left + el.scrollWidth);
  };
  const out = all.filter(el =>
    el.getBoundingClientRect().width > 0 && right(el) > width + 1 && !clipped(el));
  const deepest = out.filter(el => !out.some(other => other !== el && el.contains(other)));
  const boxes = all.filter(el => {
    if (["TEXTAREA", "INPUT", "SELECT"].includes(el.tagName)) return false;
    const overflow = getComputedStyle(el).overflowX;
    return (overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1;
  });
  // A responsive table's card label (or any table header) squeezed until a word breaks
  // across lines ("Rea/son"): each word of its text is measured as one range on one line.
  // Hyphens are places a word may break.
  // Text for screen readers only (visually hidden: a box of 1px, or inside one) is left out.
  const brokenWords = [];
  const unseen = el => {
    for (let at = el; at && at !== document.body; at = at.parentElement) {
      const box = at.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) return true;
    }
    return false;
  };
  for (const label of document.querySelectorAll(".nhsuk-table__heading, th")) {
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (unseen(node.parentElement)) continue;
      for (const word of node.data.matchAll(/[^\s\-]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
        if (lines.size > 1) brokenWords.push(`"${word[0]}" in ${path(label)}`);
      }
    }
  }
  const text = document.body.innerText;
  const markup = text.match(/<\/?[a-z][a-z0-9]*(\s[^<>]*)?\/?>|&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi) || [];
  return {
    width: width,
    scrollWidth: root.scrollWidth,
    stickingOut: deepest.slice(0, 3).map(el =>
      `${path(el)} (right edge at ${Math.round(right(el))}px)`),
    hiddenSideways: boxes.slice(0, 3).map(el =>
      `${path(el)} holds ${el.scrollWidth}px in ${el.clientWidth}px`),
    markup: Array.from(new Set(markup)).slice(0, 3),
    brokenWords: Array.from(new Set(brokenWords)).slice(0, 3),
    h1s: Array.from(document.querySelectorAll("h1")).map(h => h.innerText.trim()),
    title: document.title.trim(),
  };
}"""


def measure(page: Page) -> dict[str, Any]:
    """The page's measurements (see MEASURE)."""
    return page.evaluate(MEASURE)


def layout_problems(found: dict[str, Any]) -> list[str]:
    """What the measurements say is wrong, in words."""
    problems = []
    if found["scrollWidth"] > found["width"]:
        culprits = "; ".join(found["stickingOut"]) or "no element named"
        problems.append(f"scrolls sideways: {found['scrollWidth']}px of content in a "
                        f"{found['width']}px window ({culprits})")
    for box in found["hiddenSideways"]:
        problems.append(f"hides content sideways in a scrolling box: {box}")
    if found["brokenWords"]:
        problems.append(f"breaks a word of a table label across lines: {found['brokenWords']}")
    if found["markup"]:
        problems.append(f"shows markup as text: {found['markup']}")
    if len(found["h1s"]) != 1:
        problems.append(f"has {len(found['h1s'])} h1 headings, not one: {found['h1s']}")
    if not found["title"]:
        problems.append("has an empty <title>")
    return problems


def axe_problems(page: Page) -> list[str]:
    """axe-core's violations of WCAG 2.2 AA, one readable paragraph (empty when none)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})""", WCAG_TAGS)
    violations = results["violations"]
    return [format_violations(page.url, violations)] if violations else []


def look(page: Page, axe: bool = True) -> list[str]:
    """Everything wrong with the page as shown now; empty when it passes. Without axe, only
    what depends on the window's width (layout, markup, headings)."""
    page.wait_for_load_state("load")
    return layout_problems(measure(page)) + (axe_problems(page) if axe else [])


def look_at_widths(page: Page, widths: dict[int, bool], height: int) -> dict[int, list[str]]:
    """The loaded page looked at in each width in turn ({width: with axe?}), without loading it
    again: the window is resized as a person would, and the page's scripts follow (the NHS.UK
    header listens for resizes). Two animation frames let the layout and those scripts settle."""
    found = {}
    for width, with_axe in widths.items():
        if page.viewport_size != {"width": width, "height": height}:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("() => new Promise(done => requestAnimationFrame("
                          "() => requestAnimationFrame(done)))")
        found[width] = look(page, axe=with_axe)
    return found
