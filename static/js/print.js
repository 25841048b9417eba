// "Print / save as PDF" buttons (templates/_print_button.html), as progressive enhancement:
// the button is hidden until this script shows it, and the sentence beside it (use the
// browser's Print command) stays for anyone without JavaScript. While printing, every closed
// <details> is opened so that model answers and the marker's notes reach the paper, then
// closed again.
(function () {
  "use strict";
  var opened = [];

  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open && !d.classList.contains("portal-menu");
    });
    opened.forEach(function (d) {
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) {
      d.open = false;
    });
    opened = [];
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-print-button]"), function (box) {
    var button = box.querySelector("button");
    var hint = box.querySelector(".print-fallback");
    if (!button || typeof window.print !== "function") {
      return;
    }
    button.hidden = false;
    if (hint) {
      hint.hidden = true;
    }
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
