// The application's sections, enhanced: live character counters on long texts and "Add
// another" rows. Without JavaScript the pages work as they are: `maxlength` still caps the
// texts, and each save adds a blank row to fill.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- Character counters ----------------------------------------------------------------
  // The visible count changes as one types; screen readers hear it once typing pauses, from
  // a polite live region, rather than at every keystroke.
  function lengthOf(textarea) {
    // Count a line break as one character, as `maxlength` does.
    return textarea.value.replace(/\r\n/g, "\n").length;
  }

  function phrase(left) {
    if (left < 0) {
      var over = -left;
      return over + (over === 1 ? " character" : " characters") + " too many";
    }
    return left + (left === 1 ? " character" : " characters") + " left";
  }

  function setUpCounter(textarea) {
    var max = parseInt(textarea.getAttribute("maxlength"), 10);
    if (!max || textarea.dataset.counterReady) return;
    textarea.dataset.counterReady = "1";
    var visible = document.getElementById(textarea.id + "_count");
    if (!visible) {
      visible = document.createElement("p");
      visible.className = "char-count";
      visible.id = textarea.id + "_count";
      textarea.insertAdjacentElement("afterend", visible);
    }
    visible.setAttribute("aria-hidden", "true");
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    live.id = textarea.id + "_count_live";
    visible.insertAdjacentElement("afterend", live);
    var timer = null;

    function update(announce) {
      var left = max - lengthOf(textarea);
      visible.textContent = phrase(left);
      visible.classList.toggle("is-low", left <= Math.max(50, max * 0.05));
      if (announce) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          live.textContent = phrase(left);
        }, 800);
      }
    }

    textarea.addEventListener("input", function () {
      update(true);
    });
    update(false);
  }

  // --- Formset rows ----------------------------------------------------------------------
  function setUpFormset(fieldset) {
    var button = fieldset.querySelector("[data-add-row]");
    var template = fieldset.querySelector("template[data-empty-row]");
    var rows = fieldset.querySelector("[data-rows]");
    var prefix = fieldset.dataset.prefix;
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var maximum = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    if (!button || !template || !rows || !total) return;

    function full() {
      return maximum && parseInt(total.value, 10) >= parseInt(maximum.value, 10);
    }

    button.hidden = false;
    button.disabled = full();
    button.addEventListener("click", function () {
      if (full()) return;
      var index = parseInt(total.value, 10);
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      row.querySelectorAll("textarea[data-counter]").forEach(setUpCounter);
      var first = row.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
      button.disabled = full();
    });
  }

  function init() {
    document.querySelectorAll("textarea[data-counter][maxlength]").forEach(setUpCounter);
    document.querySelectorAll("[data-formset]").forEach(setUpFormset);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
