/* The coverage map: choosing a region (click, tap, Enter) tells who serves it, or invites an
   application. Progressive enhancement: without this script each region is a link to its row
   in the regions table. No inline script or style, no innerHTML: text comes from the regions'
   data attributes and is only ever set as text. */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var map = document.querySelector("[data-map]");
  if (!map) return;
  var svg = map.querySelector(".map-svg");
  var panel = map.querySelector("[data-map-panel]");
  if (!svg || !panel) return;

  var hint = panel.querySelector("[data-map-hint]").cloneNode(true);
  var selected = null;
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  map.classList.add("is-enhanced");

  // Highlights are copies of a region's shapes drawn above everything else (partner dots
  // aside), so an outline is never hidden under a neighbour drawn later.
  var partners = svg.querySelector(".map-partners");
  function layer(name) {
    var g = document.createElementNS(SVG_NS, "g");
    g.setAttribute("class", "map-highlight " + name);
    g.setAttribute("aria-hidden", "true");
    svg.insertBefore(g, partners);
    return g;
  }
  var RINGS = ["map-ring-outer", "map-ring-inner"];
  var pointerLayer = layer("map-highlight-hover");
  var selectedLayer = layer("map-highlight-selected");
  var focusLayer = layer("map-highlight-focus");

  function highlight(target, link, rings) {
    while (target.firstChild) target.removeChild(target.firstChild);
    var base = target.getAttribute("class").split(" ").slice(0, 2).join(" ");
    if (!link) {
      target.setAttribute("class", base);
      return;
    }
    target.setAttribute("class", base + " status-" + link.dataset.status);
    (rings || [""]).forEach(function (ring) {
      link.querySelectorAll(".map-shape").forEach(function (shape) {
        var copy = shape.cloneNode(false);
        if (ring) copy.classList.add(ring);
        target.appendChild(copy);
      });
    });
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function paragraph() {
    var p = el("p");
    for (var i = 0; i < arguments.length; i++) {
      var part = arguments[i];
      p.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    }
    return p;
  }

  function profileLink(link) {
    var a = el("a", { class: "button", href: link.dataset.partnerUrl }, "View profile");
    a.appendChild(el("span", { class: "visually-hidden" }, " of " + link.dataset.partner));
    return el("p", { class: "actions" }).appendChild(a).parentNode;
  }

  function info(link) {
    var d = link.dataset;
    var box = el("div", { class: "map-info" });
    box.appendChild(paragraph(el("span", { class: "status status-" + d.status }, d.statusLabel)));
    box.appendChild(el("h3", { tabindex: "-1" }, d.name));
    if (d.status === "served") {
      box.appendChild(paragraph("Served by ", el("strong", {}, d.partner), "."));
      box.appendChild(profileLink(link));
    } else if (d.status === "onboarding") {
      box.appendChild(paragraph("A partner is being onboarded: ", el("strong", {}, d.partner), "."));
      box.appendChild(profileLink(link));
    } else if (d.status === "open") {
      box.appendChild(paragraph("This region needs a partner."));
      var apply = el("a", { class: "button primary", href: d.applyUrl }, "Apply for this region");
      box.appendChild(el("p", { class: "actions" })).appendChild(apply);
    } else {
      box.appendChild(paragraph("This region is not recruiting a partner right now."));
    }
    var foot = el("p", { class: "map-info-foot" });
    foot.appendChild(el("a", { href: "#region-" + d.region }, "See it in the table"));
    var close = el("button", { type: "button", class: "link-button" }, "Close");
    close.addEventListener("click", function () { clear(true); });
    foot.appendChild(close);
    box.appendChild(foot);
    return box;
  }

  function select(link, byKeyboard) {
    if (selected) {
      selected.removeAttribute("aria-current");
      selected.classList.remove("is-selected");
    }
    selected = link;
    link.setAttribute("aria-current", "true");
    link.classList.add("is-selected");
    highlight(selectedLayer, link, RINGS);
    panel.replaceChildren(info(link));
    if (byKeyboard) {
      // Straight to the panel: its links come next, not the rest of the map's regions.
      panel.querySelector("h3").focus({ preventScroll: true });
    }
    var box = panel.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      panel.scrollIntoView({ block: "nearest", behavior: reduceMotion ? "auto" : "smooth" });
    }
  }

  function clear(restoreFocus) {
    if (!selected) return;
    var link = selected;
    selected.removeAttribute("aria-current");
    selected.classList.remove("is-selected");
    selected = null;
    highlight(selectedLayer, null);
    panel.replaceChildren(hint.cloneNode(true));
    if (restoreFocus) link.focus();
  }

  svg.addEventListener("click", function (event) {
    var link = event.target.closest(".map-region");
    if (!link) return;
    event.preventDefault();
    // A click with no pointer behind it (detail 0) was a keyboard activation.
    select(link, event.detail === 0);
  });

  svg.addEventListener("keydown", function (event) {
    var link = event.target.closest && event.target.closest(".map-region");
    if (link && event.key === "Enter") {
      event.preventDefault();
      select(link, true);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !selected) return;
    var active = document.activeElement;
    if (map.contains(active) || active === document.body) clear(true);
  });

  var hovered = null;
  svg.addEventListener("mouseover", function (event) {
    var link = event.target.closest(".map-region");
    if (link === hovered) return;
    hovered = link;
    highlight(pointerLayer, link);
  });
  svg.addEventListener("mouseleave", function () {
    hovered = null;
    highlight(pointerLayer, null);
  });

  svg.addEventListener("focusin", function (event) {
    var link = event.target.closest(".map-region");
    highlight(focusLayer, link && link.matches(":focus-visible") ? link : null, RINGS);
  });
  svg.addEventListener("focusout", function () { highlight(focusLayer, null); });
})();
