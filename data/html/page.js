// refexport catalog page: search, filters, paging and copy buttons over the embedded data.
// The data (script#refexport-data) is compact: tables of sections, sites, tags and languages,
// and one array per entry (see ENTRY below). Only the first PAGE matches are in the DOM at a
// time, so a keystroke costs a scan of precomputed strings plus PAGE entries of HTML.
"use strict";
(function () {
  var PAGE = 200;
  // entry fields: title, url, site, issued, accessed, note, tags, section, language, key, reference
  var TITLE = 0, URL = 1, SITE = 2, ISSUED = 3, ACCESSED = 4, NOTE = 5, TAGS = 6, SECTION = 7,
      LANG = 8, KEY = 9, REF = 10;
  var data = JSON.parse(document.getElementById("refexport-data").textContent);
  var entries = data.entries;
  var form = document.getElementById("filters");
  var query = document.getElementById("q");
  var selects = {
    section: document.getElementById("f-section"),
    site: document.getElementById("f-site"),
    tag: document.getElementById("f-tag"),
    lang: document.getElementById("f-lang")
  };
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var more = document.getElementById("more");
  var announce = document.getElementById("announce");
  var matches = [];
  var shown = 0;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function plain(html) {
    var box = document.createElement("div");
    box.innerHTML = html;
    return box.textContent;
  }

  // What a search looks at, lower-cased once at load.
  var haystack = entries.map(function (e) {
    return [e[TITLE], e[URL], e[SITE] >= 0 ? data.sites[e[SITE]] : "", e[NOTE], e[KEY],
            data.sections[e[SECTION]], e[TAGS].map(function (t) { return data.tags[t]; }).join(" "),
            e[ISSUED], e[ACCESSED]].join("\n").toLowerCase();
  });

  function filter() {
    var started = performance.now();
    var terms = query.value.toLowerCase().split(/\s+/).filter(Boolean);
    var section = selects.section.value === "" ? -1 : +selects.section.value;
    var site = selects.site.value === "" ? -1 : +selects.site.value;
    var tag = selects.tag.value === "" ? -1 : +selects.tag.value;
    var lang = selects.lang.value === "" ? -1 : +selects.lang.value;
    matches = [];
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i];
      if (section >= 0 && e[SECTION] !== section) continue;
      if (site >= 0 && e[SITE] !== site) continue;
      if (lang >= 0 && e[LANG] !== lang) continue;
      if (tag >= 0 && e[TAGS].indexOf(tag) < 0) continue;
      var text = haystack[i], ok = true;
      for (var t = 0; t < terms.length && ok; t++) ok = text.indexOf(terms[t]) >= 0;
      if (ok) matches.push(i);
    }
    results.innerHTML = "";
    shown = 0;
    render(PAGE);
    window.refexportLastFilterMs = performance.now() - started;
  }

  function entryHtml(i) {
    var e = entries[i];
    var site = e[SITE] >= 0 ? data.sites[e[SITE]] : "";
    var title = escapeHtml(e[TITLE]);
    var meta = [];
    if (site) meta.push('<span class="site">' + escapeHtml(site) + "</span>");
    if (e[ISSUED]) meta.push('<time datetime="' + e[ISSUED] + '">' + e[ISSUED] + "</time>");
    if (e[ACCESSED]) meta.push('<span class="accessed">' + data.labels.accessed + ' <time datetime="' +
                               e[ACCESSED] + '">' + e[ACCESSED] + "</time></span>");
    var tags = e[TAGS].map(function (t) { return "<li>" + escapeHtml(data.tags[t]) + "</li>"; }).join("");
    var lang = data.langs[e[LANG]];
    return '<li class="entry" data-i="' + i + '"' + (lang ? ' lang="' + escapeHtml(lang) + '"' : "") + ">" +
      '<h3 class="title">' + (e[URL] ? '<a href="' + escapeHtml(e[URL]) + '">' + title + "</a>" : title) + "</h3>" +
      (meta.length ? '<p class="meta">' + meta.join(' <span aria-hidden="true">·</span> ') + "</p>" : "") +
      (e[NOTE] ? '<p class="note">' + escapeHtml(e[NOTE]) + "</p>" : "") +
      (tags ? '<ul class="tags" aria-label="' + data.labels.tags + '">' + tags + "</ul>" : "") +
      (e[REF] ? '<div class="ref"><p class="csl-entry" lang="' + escapeHtml(lang || "") + '">' + e[REF] + "</p>" +
        '<button type="button" class="copy" data-copy="ref">' + data.labels.copyRef + "</button> " : '<div class="ref">') +
      '<button type="button" class="copy" data-copy="key">' + data.labels.copyKey +
      ' <code>' + escapeHtml(e[KEY]) + "</code></button></div></li>";
  }

  function render(count) {
    var end = Math.min(matches.length, shown + count);
    var html = [], open = false;
    var previous = shown > 0 ? entries[matches[shown - 1]][SECTION] : -1;
    for (var n = shown; n < end; n++) {
      var s = entries[matches[n]][SECTION];
      if (s !== previous) {  // a new section: its heading, then its list
        if (open) html.push("</ol>");
        html.push('<h2 class="section-title">' + escapeHtml(data.sections[s]) + "</h2>");
      }
      if (s !== previous || !open) {
        html.push('<ol class="entries">');
        open = true;
      }
      previous = s;
      html.push(entryHtml(matches[n]));
    }
    if (open) html.push("</ol>");
    results.insertAdjacentHTML("beforeend", html.join(""));
    shown = end;
    status.textContent = data.labels.status.replace("{shown}", shown).replace("{matches}", matches.length)
      .replace("{total}", entries.length);
    more.hidden = shown >= matches.length;
  }

  function copy(text, button) {
    function done(ok) {
      var label = button.getAttribute("data-label") || button.innerHTML;
      button.setAttribute("data-label", label);
      button.textContent = ok ? data.labels.copied : data.labels.copyFailed;
      announce.textContent = ok ? data.labels.copied : data.labels.copyFailed;
      setTimeout(function () { button.innerHTML = label; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
    } else {
      done(fallback(text));
    }
  }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  results.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) return;
    var e = entries[+button.closest(".entry").getAttribute("data-i")];
    copy(button.getAttribute("data-copy") === "key" ? e[KEY] : plain(e[REF]), button);
  });
  document.getElementById("toc").addEventListener("click", function (event) {
    var link = event.target.closest("a[data-section]");
    if (!link) return;
    event.preventDefault();
    selects.section.value = link.getAttribute("data-section");
    filter();
    results.focus();
  });
  query.addEventListener("input", filter);
  Object.keys(selects).forEach(function (name) { selects[name].addEventListener("change", filter); });
  form.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
  form.addEventListener("reset", function () { setTimeout(filter, 0); });
  more.addEventListener("click", function () { render(PAGE); });
  window.addEventListener("beforeprint", function () { render(matches.length); });
  filter();
  document.documentElement.classList.add("js");
  window.refexportReadyMs = performance.now();  // since navigation start: what bench/bench_cite.py reads
})();
