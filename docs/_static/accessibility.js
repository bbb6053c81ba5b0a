// Accessibility fixes for markup from furo and Sphinx (the site checks in tests/site
// find these with axe-core).
"use strict";

// A code block, or a printed table (mnisttutor.css boxes those), wider than its column
// scrolls sideways; someone using a keyboard can only scroll it if it can take focus
// (axe: scrollable-region-focusable, serious). Which blocks overflow depends on the
// window, so check on load and on every resize.
function letKeyboardsScrollCode() {
  for (const pre of document.querySelectorAll("pre, div.output_subarea, table.indextable")) {
    if (pre.scrollWidth > pre.clientWidth) {
      pre.tabIndex = 0;
    } else {
      pre.removeAttribute("tabindex");
    }
  }
}

// furo has two <aside> landmarks, the site's navigation and the page's contents, with
// no names to tell them apart (axe: landmark-unique, moderate).
function nameLandmarks() {
  const names = { ".sidebar-drawer": "Site navigation", ".toc-drawer": "On this page" };
  for (const [selector, name] of Object.entries(names)) {
    document.querySelector(selector)?.setAttribute("aria-label", name);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  letKeyboardsScrollCode();
  nameLandmarks();
});
window.addEventListener("resize", letKeyboardsScrollCode);
