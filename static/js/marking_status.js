// Progressive enhancement for the "Marking your answers…" page: ask the attempt's status URL
// once a second and reload as soon as the marks exist, instead of waiting for the page's
// two-second meta refresh. Without JavaScript (or if a request fails) the meta refresh and the
// "Check again" link still get the learner there.
(function () {
  "use strict";
  var box = document.getElementById("marking-status");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var checks = 0;

  function check() {
    checks += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) {
        return reply.ok ? reply.json() : null;
      })
      .then(function (status) {
        if (status && status.marked) {
          window.location.replace(status.results_url);
        } else if (checks < 120) {
          window.setTimeout(check, 1000);
        }
      })
      .catch(function () {
        // Offline or the server is restarting: the meta refresh takes over.
      });
  }

  window.setTimeout(check, 500);
})();
