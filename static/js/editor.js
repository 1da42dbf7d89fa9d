// The post editor: EasyMDE (vendored, no CDN), autosave with version checks, a localStorage
// backup, image upload by button / drop / paste, and the time zone of the schedule form.
// The live preview is plain HTMX (post_edit.html): we only fire "input" on the textarea.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form || typeof EasyMDE === "undefined") return;

  var textarea = document.getElementById("id_content");
  var statusEl = document.getElementById("save-status");
  var versionInput = form.querySelector("input[name=version]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var autosaveOn = form.dataset.autosave === "on";
  var backupKey = "inkwell-draft-" + form.dataset.postId;
  var SAVE_DELAY = 2000;

  var dirty = false, saving = false, conflict = false, timer = null, submitting = false;

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " save-status-" + kind : "");
  }
  function hhmm(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  // --- Image upload (shared by EasyMDE's paste/drop and the "Insert image" button) ----------
  function upload(file, onSuccess, onError) {
    var data = new FormData();
    data.append("file", file);
    data.append("alt", (file.name || "image").replace(/\.[a-z0-9]+$/i, ""));
    setStatus("Uploading " + (file.name || "image") + "…");
    fetch(form.dataset.uploadUrl, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      // Insert our own Markdown (alt text from the file name) rather than EasyMDE's "![](url)".
      if (res.ok) { setStatus("Image uploaded."); insertAtCursor(res.body.markdown); }
      else { onError(res.body.detail || "The image could not be uploaded."); }
    }).catch(function () { onError("The image could not be uploaded: no connection."); });
  }
  function uploadError(message) { setStatus(message, "error"); }
  function insertAtCursor(text) {
    cm.replaceSelection(text);
    cm.focus();
  }

  var toolbar = [
    { name: "bold", action: EasyMDE.toggleBold, text: "B", title: "Bold" },
    { name: "italic", action: EasyMDE.toggleItalic, text: "I", title: "Italic" },
    { name: "h2", action: EasyMDE.toggleHeading2, text: "H2", title: "Heading" },
    { name: "h3", action: EasyMDE.toggleHeading3, text: "H3", title: "Subheading" },
    "|",
    { name: "quote", action: EasyMDE.toggleBlockquote, text: "“ ”", title: "Quote" },
    { name: "unordered-list", action: EasyMDE.toggleUnorderedList, text: "• List", title: "Bulleted list" },
    { name: "ordered-list", action: EasyMDE.toggleOrderedList, text: "1. List", title: "Numbered list" },
    { name: "code", action: EasyMDE.toggleCodeBlock, text: "</>", title: "Code" },
    "|",
    { name: "link", action: EasyMDE.drawLink, text: "Link", title: "Link" },
    { name: "horizontal-rule", action: EasyMDE.drawHorizontalRule, text: "—", title: "Divider" },
    { name: "undo", action: EasyMDE.undo, text: "Undo", title: "Undo" },
    { name: "redo", action: EasyMDE.redo, text: "Redo", title: "Redo" }
  ];

  var editor = new EasyMDE({
    element: textarea,
    autoDownloadFontAwesome: false, // no CDN: the toolbar has text labels (site.css)
    spellChecker: false,            // its dictionaries come from a CDN; the browser's own spellcheck stays
    nativeSpellcheck: true,
    forceSync: true,
    status: false,
    toolbar: toolbar,
    uploadImage: true,
    imageUploadFunction: upload,
    imageMaxSize: 10 * 1024 * 1024,
    imageAccept: "image/png, image/jpeg, image/gif, image/webp",
    errorCallback: uploadError,
    minHeight: "320px"
  });
  var cm = editor.codemirror;
  // The <label> points at the hidden textarea; name CodeMirror's own input for screen readers.
  cm.getInputField().setAttribute("aria-label", "Text (Markdown)");
  window.inkwellEditor = editor; // for tests and the console

  // --- localStorage backup: restored on reload when newer than what the server has -----------
  var fields = ["title", "subtitle", "tags"];
  function snapshot() {
    // `base` is the server version this text was typed over: restoring it is safe only on that version.
    var s = { at: Date.now(), base: versionInput.value, content: editor.value() };
    fields.forEach(function (n) { s[n] = form.elements[n].value; });
    return s;
  }
  function backup() {
    try { localStorage.setItem(backupKey, JSON.stringify(snapshot())); } catch (e) { /* full or disabled */ }
  }
  function dropBackup() { try { localStorage.removeItem(backupKey); } catch (e) { /* ignore */ } }
  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button-small button-secondary";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }
  function applyBackup(saved) {
    fields.forEach(function (n) { if (typeof saved[n] === "string") form.elements[n].value = saved[n]; });
    editor.value(saved.content || "");
    setStatus("Restored text you had not saved yet (kept in this browser).", "warn");
    markDirty();
  }
  (function restore() {
    var raw;
    try { raw = localStorage.getItem(backupKey); } catch (e) { return; }
    if (!raw) return;
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { dropBackup(); return; }
    var serverAt = parseInt(form.dataset.updatedAt, 10) * 1000;
    var same = saved.content === editor.value() && fields.every(function (n) { return saved[n] === form.elements[n].value; });
    if (same || !(saved.at > serverAt)) { dropBackup(); return; }
    if (String(saved.base) === versionInput.value) { applyBackup(saved); return; }
    // Saved elsewhere since (another tab or device): never overwrite that silently; ask.
    setStatus("This browser kept unsaved text from before this post was changed elsewhere. ", "warn");
    statusEl.appendChild(button("Put my text back", function () { applyBackup(saved); }));
    statusEl.appendChild(button("Discard it", function () { dropBackup(); setStatus(""); }));
  })();

  // --- Autosave ------------------------------------------------------------------------------
  // data-save-state (dirty / saving / saved / conflict / error) mirrors the state for CSS and tests.
  function state(name) { form.dataset.saveState = name; }
  function markDirty() {
    dirty = true;
    state("dirty");
    backup();
    if (!autosaveOn || conflict) return;
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY);
  }
  function showConflict(message) {
    conflict = true;
    state("conflict");
    statusEl.textContent = message + " ";
    statusEl.className = "save-status save-status-error";
    // The unsaved text stays in localStorage: after the reload it is offered back, not applied.
    statusEl.appendChild(button("Reload the latest version", function () { dirty = false; location.reload(); }));
  }
  function save() {
    clearTimeout(timer);
    if (!dirty || conflict || !autosaveOn) return Promise.resolve();
    if (saving) { timer = setTimeout(save, 500); return Promise.resolve(); }
    saving = true;
    dirty = false;
    state("saving");
    setStatus("Saving…");
    var data = new FormData(form);
    data.set("content", editor.value());
    return fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      if (res.status === 200) {
        versionInput.value = res.body.version;
        form.dataset.updatedAt = Math.floor(Date.parse(res.body.saved_at) / 1000);
        if (!dirty) { dropBackup(); state("saved"); }
        setStatus("Saved at " + hhmm(new Date(res.body.saved_at)), "ok");
      } else if (res.status === 409) {
        dirty = true;
        showConflict(res.body.detail);
      } else {
        dirty = true;
        state("error");
        setStatus("Not saved: " + (res.body.detail || "error " + res.status) + " Retrying…", "error");
        timer = setTimeout(save, 10000);
      }
    }).catch(function () {
      dirty = true;
      state("error");
      setStatus("Not saved: no connection. Your text is kept in this browser; retrying…", "error");
      timer = setTimeout(save, 5000);
    }).then(function () { saving = false; });
  }

  cm.on("change", function () {
    textarea.value = editor.value();
    // The preview section listens for this (hx-trigger="input from:#id_content delay:500ms").
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    markDirty();
  });
  cm.on("blur", function () { if (dirty) save(); });
  fields.concat(["comments_enabled"]).forEach(function (n) {
    var el = form.elements[n];
    el.addEventListener("input", markDirty);
    el.addEventListener("change", markDirty);
    el.addEventListener("blur", function () { if (dirty) save(); });
  });
  form.addEventListener("submit", function () { submitting = true; clearTimeout(timer); dropBackup(); });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !(dirty || saving)) return;
    event.preventDefault();
    event.returnValue = "";
  });
  window.addEventListener("online", function () { if (dirty) save(); });

  // --- The "Insert image" button -------------------------------------------------------------
  var picker = document.getElementById("image-upload");
  if (picker) {
    picker.addEventListener("change", function () {
      var file = picker.files[0];
      if (!file) return;
      upload(file, null, uploadError);
      picker.value = "";
    });
  }

  // --- Cover upload: save the text first, since the page reloads --------------------------
  var cover = document.getElementById("cover-form");
  if (cover) {
    cover.addEventListener("submit", function (event) {
      if (!dirty || !autosaveOn) { submitting = true; return; }
      event.preventDefault();
      save().then(function () { if (!conflict) { submitting = true; cover.submit(); } });
    });
  }
  document.querySelectorAll(".publish-now, .schedule-form").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!dirty || !autosaveOn) { submitting = true; return; }
      event.preventDefault();
      save().then(function () { if (!conflict) { submitting = true; f.submit(); } });
    });
  });

  // Times the server writes in UTC, shown in the writer's own zone.
  document.querySelectorAll("time.local-time").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    el.title = el.textContent;
    el.textContent = when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  });

  // --- Schedule in the writer's own time zone -------------------------------------------------
  var zone = document.getElementById("id_timezone");
  try {
    var here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && here && zone.querySelector('option[value="' + here + '"]')) zone.value = here;
  } catch (e) { /* keep UTC */ }
})();
