/* Drag to reorder a topic's section in the admin: an enhancement of the Up/Down buttons
 * (templates/admin/topics/edit_inline/sections.html), which work without JavaScript and stay
 * the way to reorder with a keyboard or a screen reader.
 *
 * Each saved row gets a handle in its Order cell; dragging the handle moves the row. The new order is kept in a hidden
 * "_order-<prefix>" field that Save posts with the rest of the form; TopicAdmin applies it
 * after saving every edit.
 */
(function () {
  "use strict";

  function savedRows(tbody) {
    return Array.from(tbody.querySelectorAll("tr.has_original[data-pk]"));
  }

  function setUp(table) {
    const tbody = table.tBodies[0];
    const prefix = table.dataset.sortablePrefix;
    const initial = savedRows(tbody).map(function (row) { return row.dataset.pk; }).join(",");
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "_order-" + prefix;
    const note = document.createElement("p");
    note.className = "section-order-note";
    note.setAttribute("role", "status");
    table.after(input, note);
    let dragged = null;

    function record() {
      const order = savedRows(tbody).map(function (row) { return row.dataset.pk; }).join(",");
      input.value = order === initial ? "" : order;
      note.textContent = input.value ? "New order: press Save to keep it." : "";
    }

    savedRows(tbody).forEach(function (row) {
      const cell = row.querySelector("td.section-order");
      const handle = document.createElement("span");
      handle.className = "drag-handle";
      handle.title = "Drag to reorder";
      handle.setAttribute("aria-hidden", "true");
      handle.textContent = "⠿";
      cell.prepend(handle);
      // The handle is what is dragged (the row follows it), so text in the row's boxes can
      // still be selected with the mouse.
      handle.draggable = true;
      handle.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.pk);
      });
      handle.addEventListener("dragend", function () {
        row.classList.remove("dragging");
        dragged = null;
        record();
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row) {
          return;
        }
        event.preventDefault();
        const box = row.getBoundingClientRect();
        const below = event.clientY > box.top + box.height / 2;
        tbody.insertBefore(dragged, below ? row.nextSibling : row);
      });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
      });
    });
  }

  function setUpAll() {
    document.querySelectorAll("table[data-sortable-prefix]").forEach(setUp);
  }

  // The admin loads form media in the page's head, before the tables exist.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
