// Site-wide behaviour that is not worth a library: dismiss messages, focus swapped forms.
(function () {
  "use strict";
  // Messages fade after a while; they stay in the DOM for screen readers until then.
  function ageMessages(root) {
    root.querySelectorAll(".message").forEach(function (el) {
      if (el.dataset.aged) return;
      el.dataset.aged = "1";
      setTimeout(function () { el.classList.add("message-fade"); }, 6000);
      setTimeout(function () { el.remove(); }, 7000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { ageMessages(document); });
  // After HTMX swaps a form in, move focus to its first field (or its first error).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var first = target.querySelector("[aria-invalid=true], .field-invalid input, .field-invalid textarea, [autofocus]");
    if (first) first.focus();
    ageMessages(document);
  });
  // Messages sent in HX-Trigger {"messages": [{"level":..., "message":...}]} appear like Django's.
  document.addEventListener("messages", function (event) {
    var box = document.getElementById("messages");
    (event.detail.value || []).forEach(function (m) {
      var p = document.createElement("p");
      p.className = "message message-" + m.level;
      p.setAttribute("role", "status");
      p.textContent = m.message;
      box.appendChild(p);
    });
    ageMessages(box);
  });
})();
