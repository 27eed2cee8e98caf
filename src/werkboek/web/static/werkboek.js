// werkboek: drag and drop in the composer, on top of the up/down buttons that work
// without it. No inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  var dragged = null;

  function list() { return document.getElementById("onderdelen"); }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("#onderdelen > li");
    if (!item) { return; }
    dragged = item;
    item.classList.add("sleept");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.index);
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("sleept"); }
    dragged = null;
    document.querySelectorAll("#onderdelen > li.doel").forEach(function (li) {
      li.classList.remove("doel");
    });
  });

  document.addEventListener("dragover", function (event) {
    var item = event.target.closest && event.target.closest("#onderdelen > li");
    if (!dragged || !item) { return; }
    event.preventDefault();
    document.querySelectorAll("#onderdelen > li.doel").forEach(function (li) {
      if (li !== item) { li.classList.remove("doel"); }
    });
    item.classList.add("doel");
  });

  document.addEventListener("drop", function (event) {
    var item = event.target.closest && event.target.closest("#onderdelen > li");
    if (!dragged || !item || !list()) { return; }
    event.preventDefault();
    var from = dragged.dataset.index, to = item.dataset.index;
    if (from === to || !window.htmx) { return; }
    // the item's own address for a move (the server names it: see data-verplaatsen)
    window.htmx.ajax("POST", dragged.dataset.verplaatsen, {
      source: "#samensteller",
      target: "#samensteller",
      swap: "outerHTML",
      values: { naar: to }
    });
  });

  // Keyboard users keep their place: after "Omhoog", "Omlaag" or "Verwijderen" the composer
  // is swapped in, and focus goes back to the same button of the same item (or, when that
  // button is now disabled or the item gone, to the nearest button that makes sense).
  var focusAfter = null;

  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    var item = active && active.closest && active.closest("#onderdelen > li");
    focusAfter = item && active.dataset.actie
      ? { key: item.dataset.sleutel, action: active.dataset.actie, index: item.dataset.index }
      : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!focusAfter || !list()) { return; }
    var wanted = focusAfter;
    focusAfter = null;
    var items = Array.prototype.slice.call(list().children);
    var item = items.filter(function (li) { return li.dataset.sleutel === wanted.key; })[0];
    if (!item) { item = items[Math.min(Number(wanted.index), items.length - 1)]; }
    if (!item) {
      var add = document.querySelector("#samensteller .toevoegen button");
      if (add) { add.focus(); }
      return;
    }
    var buttons = item.querySelectorAll("button[data-actie]:not([disabled])");
    var target = item.querySelector('button[data-actie="' + wanted.action + '"]:not([disabled])');
    (target || buttons[0]).focus();
  });

  // The composer's fields are never swapped (a trainer may be typing in them): a change
  // swaps in what follows from it, and each field's problem beside it out of band. Here
  // each field says whether it has one; and "Opgeslagen" says when the draft is saved.
  function markInvalid() {
    var fields = document.querySelectorAll("#gegevens input[aria-describedby]");
    Array.prototype.forEach.call(fields, function (field) {
      var problem = document.getElementById(field.getAttribute("aria-describedby"));
      if (problem && problem.textContent.trim()) {
        field.setAttribute("aria-invalid", "true");
      } else {
        field.removeAttribute("aria-invalid");
      }
    });
  }
  document.addEventListener("htmx:afterSettle", markInvalid);

  document.addEventListener("input", function (event) {
    var saved = document.getElementById("opgeslagen");
    if (saved && event.target.closest && event.target.closest("#gegevens")) {
      saved.textContent = "Bezig met opslaan…";
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var saved = document.getElementById("opgeslagen");
    var form = event.target.closest && event.target.closest("form");
    if (saved && form && form.closest(".samensteller-kolom")) {
      saved.textContent = "Bezig met opslaan…";
    }
  });

  // When the page's whole main part is swapped in (a form's problems, or the mail page's
  // preview and dry run), the focus would be lost to the top of the page: it goes to the
  // problems, else to the result the button asked for, else to the page's heading.
  var whole = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    whole = !!(xhr && xhr.getResponseHeader("HX-Retarget") === "#inhoud");
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!whole) { return; }
    whole = false;
    var main = document.getElementById("inhoud");
    if (!main) { return; }
    var result = document.getElementById("mailresultaat");
    var wanted = main.querySelector("[role=alert]") ||
      (result && result.textContent.trim() ? result : null) || main.querySelector("h1");
    if (!wanted) { return; }
    if (!wanted.hasAttribute("tabindex")) { wanted.setAttribute("tabindex", "-1"); }
    wanted.focus();
  });

  // An own page, once added, leaves the field empty for the next one.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (form && form.id === "eigen" && event.detail.successful) { form.reset(); }
  });

  // The browser's own checks of a field, said in Dutch whatever the browser's language (a
  // field's title says what it wants, for a pattern).
  function dutchMessage(field) {
    var v = field.validity;
    if (v.valueMissing) { return "Vul dit veld in."; }
    if (v.typeMismatch && field.type === "email") {
      return "Vul een e-mailadres in, zoals anna@voorbeeld.nl.";
    }
    if (v.badInput || v.typeMismatch) { return "Dit is geen geldige waarde voor dit veld."; }
    if (v.patternMismatch) {
      return field.title ? field.title + "." : "Dit heeft niet de goede vorm.";
    }
    if (v.rangeUnderflow) { return "Vul " + field.min + " of meer in."; }
    if (v.rangeOverflow) { return "Vul " + field.max + " of minder in."; }
    if (v.stepMismatch) { return "Vul een heel getal in."; }
    if (v.tooLong) { return "Dit is te lang: hoogstens " + field.maxLength + " tekens."; }
    if (v.tooShort) { return "Dit is te kort: minstens " + field.minLength + " tekens."; }
    return "Dit klopt nog niet.";
  }
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (!field.setCustomValidity) { return; }
    field.setCustomValidity("");
    if (!field.validity.valid) { field.setCustomValidity(dutchMessage(field)); }
  }, true);
  document.addEventListener("input", function (event) {
    if (event.target.setCustomValidity) { event.target.setCustomValidity(""); }
  }, true);

  // Before work is replaced (starting over, opening a recipe or a starting day): a question
  // in a dialog (the browser's own <dialog>: focus goes in, Escape says no, focus comes back).
  // Without scripts the server asks the same on a page of its own; with nothing to lose,
  // nobody is asked.
  function ask(form) {
    var dialog = document.createElement("dialog");
    dialog.className = "vraag";
    dialog.setAttribute("aria-labelledby", "vraag-kop");
    dialog.setAttribute("aria-describedby", "vraag-uitleg");
    var heading = document.createElement("h2");
    heading.id = "vraag-kop";
    heading.textContent = form.dataset.vraag;
    var text = document.createElement("p");
    text.id = "vraag-uitleg";
    text.textContent = form.dataset.uitleg + " " + (form.dataset.troost || "");
    var buttons = document.createElement("form");
    buttons.method = "dialog";
    buttons.className = "knoppen";
    var yes = document.createElement("button");
    yes.value = "ja";
    yes.className = "knop gevaar";
    yes.textContent = form.dataset.ja;
    var no = document.createElement("button");
    no.value = "nee";
    no.className = "knop tweede";
    no.textContent = "Nee, terug";
    buttons.append(yes, " ", no);
    dialog.append(heading, text, buttons);
    dialog.addEventListener("close", function () {
      dialog.remove();
      if (dialog.returnValue !== "ja") { return; }
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "bevestigd";
      confirmed.value = "ja";
      form.appendChild(confirmed);
      form.submit();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    no.focus();
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    // a change made in place: there is work now, whatever the page said when it came
    if (event.detail.successful && event.detail.requestConfig.verb === "post") {
      document.body.dataset.werk = "ja";
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.vraag || document.body.dataset.werk !== "ja") { return; }
    if (form.querySelector('input[name="bevestigd"]')) { return; }
    event.preventDefault();
    ask(form);
  }, true);

  // File fields in Dutch, whatever the browser's language: the native field stays (it is what
  // the form sends and what its label names) but out of sight; a button opens it and a line
  // says which file was chosen.
  function dutchFilePickers(root) {
    var fields = (root || document).querySelectorAll('input[type="file"]:not([data-kiezer])');
    Array.prototype.forEach.call(fields, function (field) {
      field.setAttribute("data-kiezer", "");
      field.classList.add("verborgen-bestand");
      field.tabIndex = -1;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "knop tweede klein";
      button.textContent = "Kies een bestand";
      var label = document.querySelector('label[for="' + field.id + '"]');
      if (label) {  // the field's label says what to choose
        label.id = label.id || field.id + "-label";
        button.setAttribute("aria-describedby", label.id);
      }
      var chosen = document.createElement("span");
      chosen.className = "bestand-naam";
      chosen.setAttribute("aria-live", "polite");
      chosen.textContent = "Geen bestand gekozen";
      button.addEventListener("click", function () { field.click(); });
      field.addEventListener("change", function () {
        chosen.textContent = field.files && field.files.length ? field.files[0].name : "Geen bestand gekozen";
      });
      field.insertAdjacentElement("afterend", chosen);
      field.insertAdjacentElement("afterend", button);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { dutchFilePickers(document); });
  document.addEventListener("htmx:load", function (event) { dutchFilePickers(event.target); });
})();
