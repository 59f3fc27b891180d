// Trainer studio: a live side-by-side preview, and problem links that jump to their line.
// Without this script the editor still works: its Preview button renders on the server.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var pane = document.getElementById("preview");
  if (!form || !pane || !window.fetch) return;
  var text = document.getElementById("source-text");
  var status = document.getElementById("preview-status");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var sent = 0;

  function problemCount() {
    return pane.querySelectorAll(".problem-list li").length;
  }

  function refresh() {
    var ticket = ++sent;
    var before = problemCount();
    var body = new FormData(form);
    body.delete("action");
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("preview failed: " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (ticket !== sent) return; // a newer preview is on its way
        pane.innerHTML = html; // rendered and sanitised by the server
        var after = problemCount();
        if (after !== before) {
          status.textContent = after ? after + (after === 1 ? " problem" : " problems") + " in this file" : "No problems in this file";
        }
      })
      .catch(function () {
        status.textContent = "The live preview is unavailable. Use the Preview button.";
      });
  }

  text.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });

  pane.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-line]");
    if (!link) return;
    event.preventDefault();
    var line = parseInt(link.getAttribute("data-line"), 10);
    var lines = text.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    var end = start + (lines[line - 1] || "").length;
    text.focus();
    text.setSelectionRange(start, end);
    // Scroll the textarea so the selected line is in view.
    var lineHeight = text.scrollHeight / Math.max(lines.length, 1);
    text.scrollTop = Math.max(0, (line - 3) * lineHeight);
  });
  form.classList.add("has-live-preview");
})();
