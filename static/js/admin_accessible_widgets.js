// Django admin's autocomplete boxes (select2) name their combobox after the chosen value, so an
// empty one has no accessible name: give each the text of its field's label. Run after select2
// has built them (it does so on jQuery's ready, which comes after DOMContentLoaded).
(function () {
  "use strict";

  function nameComboboxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      if (!label || !container) { return; }
      var name = label.textContent.replace(/:\s*$/, "").trim();
      // The combobox, and the box showing the chosen value (empty when nothing is chosen).
      container.querySelectorAll('[role="combobox"], [id$="-container"]').forEach(function (box) {
        box.setAttribute("aria-label", name);
      });
    });
  }

  window.addEventListener("load", function () {
    nameComboboxes();
    window.setTimeout(nameComboboxes, 0);
  });
})();
