// The review pages. Everything here is an enhancement: each form works without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- The running weighted total while scoring -------------------------------------------
  // Exactly selectors.weighted_total: sum(weight * value) / sum(weight) over the criteria
  // scored, rounded half-up to cents. Weights have two decimals, so the sums are done in
  // whole hundredths (integers) and nothing is lost to floating point.
  function hundredths(text) {
    var match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).trim());
    if (!match) return null;
    return parseInt(match[1], 10) * 100 + parseInt((match[2] || "0").padEnd(2, "0"), 10);
  }

  function scoreOf(input) {
    var text = input.value.trim();
    if (!/^\d+$/.test(text)) return null;
    var value = parseInt(text, 10);
    var max = input.max === "" ? Infinity : parseInt(input.max, 10);
    return value <= max ? value : null;
  }

  function weightedTotal(pairs) {
    var num = 0;
    var den = 0;
    pairs.forEach(function (pair) {
      num += pair[0] * pair[1];
      den += pair[0];
    });
    if (!den) return null;
    var cents = Math.floor((2 * num * 100 + den) / (2 * den)); // half-up, all integers
    return Math.floor(cents / 100) + "." + String(cents % 100).padStart(2, "0");
  }

  document.querySelectorAll("[data-score-form]").forEach(function (form) {
    var output = form.querySelector("[data-running-total]");
    var inputs = form.querySelectorAll("input[data-weight]");
    if (!output || !inputs.length) return;
    function update() {
      var pairs = [];
      inputs.forEach(function (input) {
        var weight = hundredths(input.dataset.weight);
        var value = scoreOf(input);
        if (weight !== null && value !== null) pairs.push([weight, value]);
      });
      var total = weightedTotal(pairs);
      output.textContent = total === null ? "—" : total;
    }
    form.addEventListener("input", update);
    update();
  });

  // --- Decision forms: the email follows the decision until the person edits it ------------
  var emailsScript = document.getElementById("decision-emails");
  var decisionForm = document.querySelector("[data-decision-form]");
  if (emailsScript && decisionForm) {
    var emails = JSON.parse(emailsScript.textContent);
    var subject = decisionForm.querySelector("[name=email_subject]");
    var body = decisionForm.querySelector("[name=email_body]");
    var note = decisionForm.querySelector("[data-email-note]");
    var shown = null; // the decision whose default email is in the fields
    var checked = decisionForm.querySelector("[name=decision]:checked");
    if (checked && emails[checked.value] && subject.value === emails[checked.value].subject &&
        body.value === emails[checked.value].body) {
      shown = checked.value;
    }
    decisionForm.querySelectorAll("[name=decision]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var edited = shown === null
          ? subject.value.trim() !== "" || body.value.trim() !== ""
          : subject.value !== emails[shown].subject || body.value !== emails[shown].body;
        if (edited) {
          note.textContent = "You edited the email, so it is kept as you wrote it. Check that it fits this decision.";
          return;
        }
        subject.value = emails[radio.value].subject;
        body.value = emails[radio.value].body;
        shown = radio.value;
        note.textContent = "The email is now the default one for this decision.";
      });
    });
  }

  // --- The queue: on a phone the filters fold away unless some are on ----------------------
  var details = document.querySelector("[data-filter-details]");
  if (details && !details.hasAttribute("data-active") &&
      window.matchMedia("(max-width: 600px)").matches) {
    details.open = false;
  }

  // --- The queue: select every application on the page, and say how many are selected -----
  var bulk = document.getElementById("bulk-form");
  if (bulk) {
    var boxes = document.querySelectorAll("input[name=ids][form=bulk-form]");
    var all = document.querySelector("[data-select-all]");
    var count = bulk.querySelector("[data-selected-count]");
    function refresh() {
      var n = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      count.textContent = n ? n + " selected" : "";
      if (all) {
        all.checked = n > 0 && n === boxes.length;
        all.indeterminate = n > 0 && n < boxes.length;
      }
      return n;
    }
    if (all && boxes.length) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        refresh();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", refresh); });
    bulk.addEventListener("submit", function (event) {
      if (!refresh()) {
        event.preventDefault();
        count.textContent = "Tick at least one application first.";
      }
    });
    refresh();
  }
})();
