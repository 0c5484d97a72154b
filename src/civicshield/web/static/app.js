// civicshield dashboard behaviour: reveal blurred text, row selection, keyboard shortcuts.
// Loaded as a same-origin file so the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";

  function reveal(wrap) {
    var text = wrap.querySelector("[data-text]");
    var button = wrap.querySelector("[data-reveal]");
    if (text) { text.classList.remove("blurred"); }
    if (button) { button.remove(); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var button = target.closest("[data-reveal]");
    if (button) {
      event.preventDefault();
      reveal(button.closest(".text-wrap"));
      return;
    }
    var back = target.closest("[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // On a phone the main menu folds behind a button.
  document.documentElement.classList.add("js");
  var menuButton = document.querySelector("[data-menu]");
  if (menuButton) {
    menuButton.addEventListener("click", function () {
      var open = menuButton.getAttribute("aria-expanded") !== "true";
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
      document.getElementById(menuButton.getAttribute("aria-controls"))
        .classList.toggle("open", open);
    });
  }

  // The undo toast steps aside after a few seconds; "Recently changed" keeps every change.
  var toast = document.querySelector("[data-toast]");
  if (toast) {
    window.setTimeout(function () { toast.classList.add("toast-gone"); }, 12000);
  }

  // An import job page refreshes itself while a file is read.
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    window.setTimeout(function () { window.location.reload(); },
                      parseInt(refresh.getAttribute("data-refresh"), 10) || 1500);
  }

  // The Import form: files dropped on the page, and the upload's progress.
  var uploadForm = document.querySelector("form[data-upload]");
  if (uploadForm) {
    var input = uploadForm.querySelector("input[type=file]");
    var zone = uploadForm.querySelector("[data-drop]");
    var chosen = uploadForm.querySelector("[data-chosen]");
    var bar = uploadForm.querySelector("[data-upload-progress]");
    var showChosen = function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      chosen.textContent = names.length ? names.length + " chosen: " + names.join(", ") : "";
    };
    input.addEventListener("change", showChosen);
    ["dragenter", "dragover"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.remove("dragging");
      });
    });
    document.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        showChosen();
      }
    });
    uploadForm.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", uploadForm.getAttribute("action"));
      bar.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      request.addEventListener("load", function () {
        if (request.status === 200 && request.responseURL) {
          window.location.href = request.responseURL;
        } else {
          document.open(); document.write(request.responseText); document.close();
        }
      });
      request.send(new FormData(uploadForm));
    });
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
  var bulk = document.getElementById("bulk");
  var counter = document.querySelector("[data-selected-count]");
  var focused = -1;

  function refreshSelection() {
    var count = 0;
    rows.forEach(function (row) {
      var box = row.querySelector("input[type=checkbox]");
      row.classList.toggle("selected", box.checked);
      if (box.checked) { count += 1; }
    });
    if (counter) { counter.textContent = count + " selected"; }
    return count;
  }

  function focusRow(index) {
    if (!rows.length) { return; }
    focused = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("focused", i === focused); });
    rows[focused].focus({ preventScroll: true });
    rows[focused].scrollIntoView({ block: "nearest" });
  }

  if (bulk) { bulk.addEventListener("change", refreshSelection); }

  var single = document.getElementById("message-state");

  function act(action) {
    if (!bulk && single) {  // a message page: r, d and e act on this message
      var own = single.querySelector("button[name=action][value=" + action + "]");
      if (own) { single.requestSubmit(own); }
      return;
    }
    if (!bulk) { return; }
    var button = bulk.querySelector("button[name=action][value=" + action + "]");
    if (!button) { return; }
    if (refreshSelection() === 0 && focused >= 0) {
      rows[focused].querySelector("input[type=checkbox]").checked = true;
    }
    if (refreshSelection() > 0) { bulk.requestSubmit(button); }
  }

  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    var key = event.key;
    if (key === "j") { focusRow(focused + 1); }
    else if (key === "k") { focusRow(focused - 1); }
    else if (key === "x" && focused >= 0) {
      var box = rows[focused].querySelector("input[type=checkbox]");
      box.checked = !box.checked;
      refreshSelection();
    }
    else if ((key === "o" || key === "Enter") && focused >= 0) {
      window.location.href = rows[focused].getAttribute("data-href");
    }
    else if (key === "v") {
      var scope = focused >= 0 ? rows[focused] : document;
      var wrap = scope.querySelector(".text-wrap");
      if (wrap) { reveal(wrap); }
    }
    else if (key === "r") { act("reviewed"); }
    else if (key === "d") { act("dismissed"); }
    else if (key === "e") { act("escalated"); }
    else if (key === "u") {
      var undo = document.querySelector("[data-toast] button[data-key=u]");
      if (!undo) { return; }
      undo.form.requestSubmit(undo);
    }
    else { return; }
    event.preventDefault();
  });
})();
