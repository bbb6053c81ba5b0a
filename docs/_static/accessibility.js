// A code block wider than its column scrolls sideways; someone using a keyboard can
// only scroll it if it can take focus (axe: scrollable-region-focusable, serious).
// Which blocks overflow depends on the window, so check on load and on every resize.
"use strict";

function letKeyboardsScrollCode() {
  for (const pre of document.querySelectorAll("pre")) {
    if (pre.scrollWidth > pre.clientWidth) {
      pre.tabIndex = 0;
    } else {
      pre.removeAttribute("tabindex");
    }
  }
}

document.addEventListener("DOMContentLoaded", letKeyboardsScrollCode);
window.addEventListener("resize", letKeyboardsScrollCode);
