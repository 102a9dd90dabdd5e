// citeproc-js (npm `citeproc`) as the reference engine for bench/eval_cite_engines.py.
//
// Usage: node citeproc_js_runner.js JOBS.json LOCALES_DIR > RESULTS.json
// JOBS.json is an array of {name, csl, items, format ("html"|"text"), lang (or null),
// bibentries, bibsection, citations, citation_items} (the test suite's machine keys);
// the output is an array of {name, entries: [string], bibstart, bibend} or {name, error}.
// Bibliography mode follows Juris-M/citeproc-test-runner lib/sys.js: updateItems with the
// last BIBENTRIES set (else every input id unless CITATIONS are given), then the
// citations, then makeBibliography(BIBSECTION).
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require(process.env.CITEPROC_JS || "citeproc");

const [jobsPath, localesDir] = process.argv.slice(2);
const jobs = JSON.parse(fs.readFileSync(jobsPath, "utf8"));

function makeSys(items) {
  const cache = {};
  for (const item of items) cache[item.id] = item;
  return {
    retrieveItem: (id) => cache[id],
    retrieveLocale: (lang) => {
      try {
        return fs
          .readFileSync(path.join(localesDir, `locales-${lang}.xml`), "utf8")
          .replace(/\s*<\?[^>]*\?>\s*\n/g, "");
      } catch (e) {
        return false;
      }
    },
  };
}

function cite(engine, job) {
  if (job.citation_items) {
    for (const items of job.citation_items) engine.makeCitationCluster(items);
  } else if (job.citations) {
    for (const [citation, pre, post] of job.citations) engine.processCitationCluster(citation, pre, post);
  }
}

function run(job) {
  const engine = new CSL.Engine(makeSys(job.items), job.csl, job.lang || undefined, !!job.lang);
  engine.setOutputFormat(job.format || "html");
  if (job.bibentries) {
    for (const ids of job.bibentries) engine.updateItems(ids);
  } else if (!job.citations) {
    engine.updateItems(job.items.map((item) => item.id));
  }
  if (!job.citation_items && !job.citations) {
    // the runner cites every registered item once, in registry order, before the bibliography
    job.citation_items = [engine.registry.reflist.map((entry) => ({ id: entry.id }))];
  }
  cite(engine, job);
  const [meta, entries] = job.bibsection ? engine.makeBibliography(job.bibsection) : engine.makeBibliography();
  const ids = meta.entry_ids.map((group) => String(group[0]));
  return { name: job.name, entries, ids, bibstart: meta.bibstart, bibend: meta.bibend };
}

const results = jobs.map((job) => {
  try {
    return run(job);
  } catch (error) {
    return { name: job.name, error: String(error) };
  }
});
process.stdout.write(JSON.stringify(results));
