/* Live Markdown preview in the admin (topics.markdown_preview.MarkdownPreviewTextarea).
 *
 * Without this script the preview under each Markdown field shows the text as saved, rendered
 * by the server. With it, the preview follows typing: after a short pause the text is posted
 * (with the form's CSRF token) to the staff-only preview endpoint, which renders and sanitises
 * it with the site's own Markdown filter, and the returned HTML replaces the preview.
 * Listening on the document also covers rows that "Add another" creates after page load.
 */
(function () {
  "use strict";

  const PAUSE_MS = 400;
  const timers = new WeakMap();
  // Each field's latest request number: a slow answer to an older request is ignored.
  const latest = new WeakMap();

  function csrfToken(form) {
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function refresh(textarea) {
    const field = textarea.closest(".markdown-field");
    if (!field) {
      return;
    }
    const body = field.querySelector(".markdown-preview-body");
    const status = field.querySelector(".markdown-preview-status");
    const request = (latest.get(textarea) || 0) + 1;
    latest.set(textarea, request);
    const data = new FormData();
    data.append("text", textarea.value);
    data.append("mode", textarea.dataset.previewMode || "block");
    fetch(textarea.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(textarea.form) },
    })
      .then(function (response) {
        return response.json().then(function (json) {
          return { ok: response.ok, json: json };
        });
      })
      .then(function (result) {
        if (latest.get(textarea) !== request) {
          return;
        }
        if (result.ok) {
          // Rendered and sanitised by the server (nh3 allow-list), as on the topic page.
          body.innerHTML = result.json.html;
          status.textContent = "";
        } else {
          status.textContent = result.json.error || "The preview could not be updated.";
        }
      })
      .catch(function () {
        if (latest.get(textarea) === request) {
          status.textContent = "The preview could not be updated: save to see the text.";
        }
      });
  }

  document.addEventListener("input", function (event) {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.dataset.previewUrl) {
      return;
    }
    clearTimeout(timers.get(textarea));
    timers.set(
      textarea,
      setTimeout(function () {
        refresh(textarea);
      }, PAUSE_MS)
    );
  });
})();
