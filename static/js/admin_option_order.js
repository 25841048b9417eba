// Answer options in the question admin: ↑ and ↓ buttons move a row, and each row's hidden
// position follows the order on screen when the form is sent (no numbers to type). Without
// script the rows keep their order and new ones go last.
(function () {
  "use strict";

  function rows(group) {
    return Array.prototype.filter.call(
      group.querySelectorAll("tbody tr.form-row"),
      function (row) { return !row.classList.contains("empty-form"); }
    );
  }

  function renumber(group) {
    rows(group).forEach(function (row, index) {
      var input = row.querySelector("input.option-position");
      if (input) { input.value = String(index); }
    });
  }

  function button(label, text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "option-move";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function addButtons(group, row) {
    if (row.classList.contains("empty-form") || row.querySelector(".option-move")) { return; }
    var cell = row.querySelector("td.original") || row.querySelector("td");
    if (!cell) { return; }
    var holder = document.createElement("span");
    holder.className = "option-move-buttons";
    holder.appendChild(button("Move this option up", "↑", function () {
      var previous = row.previousElementSibling;
      if (previous && previous.classList.contains("form-row")) {
        row.parentNode.insertBefore(row, previous);
        renumber(group);
      }
    }));
    holder.appendChild(button("Move this option down", "↓", function () {
      var next = row.nextElementSibling;
      if (next && next.classList.contains("form-row") && !next.classList.contains("empty-form")) {
        row.parentNode.insertBefore(next, row);
        renumber(group);
      }
    }));
    cell.appendChild(holder);
  }

  function setUp() {
    var group = document.getElementById("options-group");
    if (!group) { return; }
    rows(group).forEach(function (row) { addButtons(group, row); });
    document.addEventListener("formset:added", function (event) {
      var row = event.target;
      if (row && group.contains(row)) { addButtons(group, row); renumber(group); }
    });
    var form = group.closest("form");
    if (form) { form.addEventListener("submit", function () { renumber(group); }); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
