// Keyboard shortcuts for the flashcard page, as progressive enhancement: space shows the answer
// (opens the <details>), 1–4 press Again/Hard/Good/Easy once it is shown. Without JavaScript
// the <details> and the rating buttons work the same by mouse, touch or Tab/Enter.
(function () {
  "use strict";
  var back = document.getElementById("card-back");
  if (!back) {
    return;
  }
  var sent = false;

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || sent) {
      return;
    }
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select") {
      return;
    }
    if (event.key === " " || event.key === "Spacebar") {
      // Space on a focused button or link keeps its own meaning.
      if (tag === "button" || tag === "a") {
        return;
      }
      event.preventDefault();
      back.open = !back.open;
      if (back.open) {
        var first = back.querySelector(".rating-button[data-key='3']");
        if (first) {
          first.focus();
        }
      }
      return;
    }
    if (back.open && /^[1-4]$/.test(event.key)) {
      var button = back.querySelector(".rating-button[data-key='" + event.key + "']");
      if (button) {
        event.preventDefault();
        sent = true; // one rating per card view; the server ignores a repeat anyway
        button.click();
      }
    }
  });
})();
