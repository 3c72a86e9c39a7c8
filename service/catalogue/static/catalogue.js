// Progressive enhancement only: every page works without this file.
// Copy buttons: shown when scripts run; each copies the text of the element it names.
(function () {
  "use strict";
  function enableCopyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        var text = source ? source.textContent : "";
        var done = function (label) {
          button.textContent = label;
          window.setTimeout(function () { button.textContent = button.dataset.label; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(
            function () { done("Copied"); },
            function () { select(source); done("Selected: press Ctrl+C"); }
          );
        } else {
          select(source);
          done("Selected: press Ctrl+C");
        }
      });
    });
  }
  function select(node) {
    if (!node) return;
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener("DOMContentLoaded", function () { enableCopyButtons(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enableCopyButtons(event.target); });
})();
