// Cross-post panel: a live character count per network, against that network's limit.
// Counts user-perceived characters (graphemes) where the browser can, like Bluesky does.
(function () {
  "use strict";
  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function count(text) {
    if (!segmenter) return Array.from(text).length;
    var n = 0;
    for (var _ of segmenter.segment(text)) n++; // eslint-disable-line no-unused-vars
    return n;
  }

  function update(textarea) {
    var limit = parseInt(textarea.getAttribute("data-crosspost-limit"), 10);
    var help = document.getElementById(textarea.getAttribute("aria-describedby"));
    if (!help) return;
    var out = help.querySelector("[data-crosspost-count]");
    var n = count(textarea.value);
    if (out) out.textContent = String(n);
    help.classList.toggle("over-limit", n > limit);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("textarea[data-crosspost-limit]")) update(target);
  });

  function init(root) {
    (root || document).querySelectorAll("textarea[data-crosspost-limit]").forEach(update);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
  init(document);
})();
