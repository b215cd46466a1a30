/* List pages (/postmortems/, /action-items/, /lessons/): filters, facets with counts, sorting.
 *
 * Progressive enhancement over a page that reads fine without JavaScript: it shows the
 * first rows of its list, and links to plain pages with the rest (kb.pages.lists). The
 * filters work over every row, from the list's rows file (`data-rows`, compact JSON with
 * each row's cells as HTML) fetched when a control is first used, and show the first 50
 * matches (Show more, Show all): a key redraws 50 rows whether the list has 100 or
 * 30,000. Until the file is here the facets show counts the page carries for every row
 * (`data-counts`).
 * No framework and nothing from another site, so it works on an offline internal site.
 * The view is mirrored in the URL query (?q=disk&service=checkout-api&sort=title), so it
 * can be linked, and reloading or coming back to the page shows it again.
 */
(function () {
  "use strict";

  const COUNT_DELAY_MS = 150;
  // A filtered list shows this many rows at a time (fewer if the list's pages are shorter):
  // every key lays them out again, about 0.15 ms a row in a board's table.
  const SHOWN = 50;
  const LABELS = {severity: "Severity", type: "Type", status: "Status", service: "Service",
                  team: "Team", cause: "Cause", year: "Year", owner: "Owner", state: "State",
                  tracker: "Tracker", kind: "Kind", category: "Category"};

  function withQuery(params) {
    const query = params.toString();
    return location.pathname + (query ? `?${query}` : "") + location.hash;
  }

  function following(root, selector) {
    return Array.from(document.querySelectorAll(selector))
      .find(node => root.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING) || null;
  }

  function setup(root) {
    const table = following(root, "table.pm-list");
    if (!table || root.dataset.ready) return;
    root.dataset.ready = "1";
    const body = table.tBodies[0];
    const own = body.innerHTML;  // the page's rows: shown again when no filter is set
    const pager = following(root, "nav.pm-pager");
    const noun = root.dataset.noun || "postmortems";
    const facets = root.dataset.facets.split(" ");
    const total = Number(root.dataset.total);
    const step = Math.min(Number(root.dataset.pageSize) || SHOWN, SHOWN);
    const initialCounts = JSON.parse(root.dataset.counts || "{}");
    // Resolved now: the page's address may change before the fetches.
    const rowsUrl = new URL(root.dataset.rows, location.href);
    const wordsUrl = root.dataset.words ? new URL(root.dataset.words, location.href) : null;

    const params = new URLSearchParams(location.search);
    const state = {text: params.get("q") || "", sort: params.get("sort") || ""};
    facets.forEach(f => { state[f] = params.get(f) || ""; });
    keepSearchClosed(root, state.text, writeAddress);

    let data = null;  // the rows file, once fetched
    let loading = null;
    let wordsLoading = null;
    let limit = step;  // how many matching rows are shown
    let active = false;  // the table shows the script's rows, not the page's own

    // Controls: a search box, one <select> per facet, a count. Each control has a name
    // (the box its aria-label, a facet its own); the count is a status region, which
    // screen readers announce when it changes without moving the focus (WCAG 4.1.3).
    const search = element("input", {type: "search", placeholder: `Filter ${noun}`, value: state.text,
                                     "aria-label": `Filter ${noun}`, className: "md-input pm-filter-text"});
    const selects = {};
    const controls = element("div", {className: "pm-filters"}, [search]);
    facets.forEach(f => {
      // Named by its label's words alone: a <label> around a <select> would also lend it
      // the chosen option's text ("Tracker All (7)").
      selects[f] = element("select", {name: f, className: "pm-facet", "aria-label": LABELS[f] || f});
      controls.append(element("label", {className: "pm-facet-label"}, [LABELS[f] || f, " ", selects[f]]));
    });
    const count = element("p", {className: "pm-count", role: "status", "aria-atomic": "true"});
    const reset = element("button", {type: "button", className: "md-button pm-reset"}, ["Clear filters"]);
    root.append(controls, element("div", {className: "pm-summary"}, [count, reset]));
    const more = element("button", {type: "button", className: "md-button pm-more-button"});
    const all = element("button", {type: "button", className: "md-button pm-more-button"});
    const moreBar = element("div", {className: "pm-more-bar", hidden: true}, [more, " ", all]);
    (table.closest(".pm-scroll") || table).after(moreBar);

    // The first use of a control fetches the rows, so they are there when it changes.
    controls.addEventListener("focusin", () => load());
    search.addEventListener("focus", loadWords);
    controls.addEventListener("pointerdown", () => load());
    search.addEventListener("input", () => { state.text = search.value; changed(); });
    facets.forEach(f => selects[f].addEventListener("change", () => { state[f] = selects[f].value; changed(); }));
    reset.addEventListener("click", () => {
      state.text = search.value = "";
      state.sort = "";
      facets.forEach(f => { state[f] = ""; });
      changed();
    });
    more.addEventListener("click", () => { limit += step; render(); });
    all.addEventListener("click", () => { limit = Infinity; render(); });

    // A sortable heading holds a button: Tab reaches it, Enter and Space press it, and a
    // screen reader says it is one; the heading's aria-sort says the order. The list's own
    // order is by its first sort key (the date), newest first.
    const headings = Array.from(table.querySelectorAll("th[data-sort]"));
    const ownOrder = headings.length ? `-${headings[0].dataset.sort}` : "";
    // A sort this list does not have (an old link, a hand-made address) is no sort.
    if (!headings.some(th => [th.dataset.sort, `-${th.dataset.sort}`].includes(state.sort))) state.sort = "";
    headings.forEach(th => {
      const button = element("button", {type: "button", className: "pm-sort"}, Array.from(th.childNodes));
      th.append(button);
      button.addEventListener("focus", () => load());
      button.addEventListener("click", () => {
        const key = th.dataset.sort;
        const current = state.sort || ownOrder;
        const next = current === key ? `-${key}` : key;
        state.sort = next === ownOrder ? "" : next;
        changed();
      });
    });

    function load() {
      if (!loading) {
        loading = fetchJson(rowsUrl).then(json => {
          data = json;
          data.index = new Map(data.strings.map((s, i) => [s, i]));
          data.position = Object.fromEntries(data.facets.map((f, i) => [f, i]));
          data.rows.forEach((row, i) => { row.order = i; });
          data.plain = [];  // each distinct cell's text, lower-cased
          // What the text filter matches, made now, with the fetch, not on the first key.
          data.rows.forEach(searchText);
          update();  // the counts, now over the rows themselves; data-loaded says so
        });
        loading.catch(() => {
          loading = null;  // the next use of a control tries again
          count.textContent = `Filtering needs this list's data, which did not load: the pages below list every one of the ${total} ${noun}.`;
        });
      }
      return loading;
    }

    // The words of each postmortem that its row does not carry (kb.pages.explorer.WORDS: its
    // summary, lessons, action items and causes' details), fetched once, when the filter
    // box is first focused, with the rows: a page load costs nothing more, and a 4 MB file
    // parsed while the reader types would hold up a key. Until they arrive the filter
    // matches the rows' own text, then it refines.
    let wordsDone = false;
    function loadWords() {
      if (!wordsUrl || wordsLoading) return;
      wordsLoading = Promise.all([load(), fetchJson(wordsUrl)]).then(([, words]) => {
        // Own keys only: an id such as "constructor" must not find Object's.
        const has = id => Object.prototype.hasOwnProperty.call(words, id);
        data.rows.forEach(row => {
          if (has(row.id)) { row.t = `${row.t || ""} ${words[row.id]}`; row.s = undefined; searchText(row); }
        });
      }).catch(() => {})  // offline, or opened from disk: the row text still filters
        .then(() => { wordsDone = true; if (data) update(); });
    }

    function changed() {
      limit = step;
      writeAddress();
      if (state.text) loadWords();
      if (data) update(); else load();
    }

    function filtering() {
      return Boolean(state.text || state.sort || facets.some(f => state[f]));
    }

    // One pass over every row: which conditions it fails, as bits (the text, then one per
    // facet). A row is shown when it fails none. The list is drawn at once; the facets'
    // counts, over the rows that fail no other condition (as faceted search does, so
    // choosing a value shows its count), follow when the typing pauses: another pass over
    // every row, and every <select> filled again, on every key of a word would slow it.
    let matched = [];
    let fails = new Uint32Array(0);
    let counting = 0;
    function update() {
      // Plain loops: this runs over every row on every key, 30,000 rows on a large board.
      const n = facets.length;
      const position = facets.map(f => data.position[f]);
      const wanted = facets.map(f => (state[f] ? data.index.get(state[f]) ?? -1 : null));
      const words = state.text.toLowerCase().split(/\s+/).filter(Boolean);
      const rows = data.rows;
      fails = new Uint32Array(rows.length);
      matched = [];
      for (let j = 0; j < rows.length; j += 1) {
        const row = rows[j];
        let failed = 0;
        if (words.length) {
          const text = searchText(row);
          for (const w of words) if (!text.includes(w)) { failed = 1; break; }
        }
        for (let i = 0; i < n; i += 1) {
          if (wanted[i] !== null && !row.f[position[i]].includes(wanted[i])) failed |= 2 << i;
        }
        fails[j] = failed;
        if (!failed) matched.push(row);
      }
      count.textContent = `${matched.length} of ${rows.length} ${noun}`;
      reset.hidden = !filtering();
      if ("figures" in root.dataset) updateFigures(matched);
      if (filtering()) render();
      else if (active) ownRows();
      if (!wordsLoading || wordsDone) root.dataset.loaded = "1";  // what the filters need is here
      // Counted when the typing pauses: a key that comes sooner replaces this count.
      clearTimeout(counting);
      counting = setTimeout(countFacets, COUNT_DELAY_MS);
    }

    function countFacets() {
      const n = facets.length;
      const position = facets.map(f => data.position[f]);
      const counts = facets.map(() => new Map());
      const others = new Array(n).fill(0);
      data.rows.forEach((row, j) => {
        for (let i = 0; i < n; i += 1) {
          if (fails[j] & ~(2 << i)) continue;
          others[i] += 1;
          for (const v of row.f[position[i]]) counts[i].set(v, (counts[i].get(v) || 0) + 1);
        }
      });
      facets.forEach((f, i) => fillSelect(f, Array.from(counts[i], ([v, c]) => [data.strings[v], c]), others[i]));
    }

    // What the text filter matches in a row: its cells' text, and its own words (`t`), which
    // the rows file holds only where no cell shows them.
    function searchText(row) {
      if (row.s === undefined) row.s = `${row.c.map(cellText).join(" ")} ${row.t || ""}`;
      return row.s;
    }

    function cellText(index) {
      if (data.plain[index] === undefined) {
        data.plain[index] = decode(data.strings[index].replace(/<[^>]*>/g, " ")).toLowerCase();
      }
      return data.plain[index];
    }

    function ownRows() {
      active = false;
      body.innerHTML = own;
      written.delete(body);
      moreBar.hidden = true;
      if (pager) pager.hidden = false;
      headings.forEach((th, i) => th.setAttribute("aria-sort", i === 0 ? "descending" : "none"));
    }

    function render() {
      active = true;
      const sorted = sortRows(matched);
      const shown = sorted.slice(0, limit);
      const grouped = !state.sort;
      const width = data.columns.length;
      let group = null;
      const html = [];
      shown.forEach(row => {
        if (grouped && row.g !== undefined && row.g !== group) {
          group = row.g;
          html.push(`<tr class="pm-group"><th colspan="${width}" scope="rowgroup">${escape(data.strings[group])}</th></tr>`);
        }
        html.push(`<tr data-${data.id_attribute}="${escape(row.id)}">`);
        row.c.forEach((cell, i) => {
          const css = data.columns[i];
          html.push(css ? `<td class="${escape(css)}">` : "<td>", data.strings[cell], "</td>");
        });
        html.push("</tr>");
      });
      replace(body, html.join(""));
      if (pager) pager.hidden = true;
      const rest = sorted.length - shown.length;
      moreBar.hidden = rest <= 0;
      more.textContent = `Show ${Math.min(rest, step)} more`;
      all.textContent = `Show all ${sorted.length}`;
      headings.forEach(th => {
        const key = th.dataset.sort;
        const current = state.sort || ownOrder;
        th.setAttribute("aria-sort", current === key ? "ascending" : current === `-${key}` ? "descending" : "none");
      });
    }

    function sortRows(rows) {
      if (!state.sort) return rows;  // already in the list's own order
      const descending = state.sort.startsWith("-");
      const at = data.sorts.indexOf(state.sort.replace(/^-/, ""));
      if (at < 0) return rows;
      // The first sort is the list's own order, newest first (kb.pages.lists.Column).
      if (at === 0) return descending ? rows : rows.slice().reverse();
      const sign = descending ? -1 : 1;
      return rows.slice().sort((a, b) => {
        const [x, y] = [a.k[at - 1], b.k[at - 1]];
        return sign * (x < y ? -1 : x > y ? 1 : 0) || a.order - b.order;
      });
    }

    // The board's headline and state counts, over the rows shown: the same definitions as
    // the page was built with (kb.analysis.action_item_states), so they always agree.
    function updateFigures(rows) {
      const states = new Map();
      const onTime = [];
      const days = [];
      const at = data.position.state;
      for (const row of rows) {
        const value = data.strings[row.f[at][0]];
        states.set(value, (states.get(value) || 0) + 1);
        if (row.x && "on-time" in row.x) onTime.push(Number(row.x["on-time"]));
        if (row.x && "days-to-done" in row.x) days.push(Number(row.x["days-to-done"]));
      }
      document.querySelectorAll("[data-count-state]").forEach(el => {
        el.textContent = String(states.get(el.dataset.countState) || 0);
      });
      const figure = name => document.querySelector(`[data-figure="${name}"]`);
      if (figure("on-time")) {
        const share = onTime.reduce((a, b) => a + b, 0) / onTime.length;
        figure("on-time").textContent = onTime.length ? `${Math.floor(share * 100 + 0.5)}%` : "n/a";
      }
      if (figure("days-to-done")) figure("days-to-done").textContent = days.length ? String(median(days)) : "n/a";
    }

    function median(values) {
      const sorted = values.slice().sort((a, b) => a - b);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    function fillSelect(facet, counts, matching) {
      if (state[facet] && !counts.some(([value]) => value === state[facet])) counts.push([state[facet], 0]);
      const order = facet === "year" ? (a, b) => b[0].localeCompare(a[0])
                  : facet === "severity" ? (a, b) => a[0].localeCompare(b[0])
                  : (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]);
      const options = [`<option value="">All (${matching})</option>`];
      counts.sort(order).forEach(([value, n]) => {
        const selected = value === state[facet] ? " selected" : "";
        options.push(`<option value="${escape(value)}"${selected}>${escape(value)} (${n})</option>`);
      });
      replace(selects[facet], options.join(""));
    }

    function writeAddress() {
      const query = new URLSearchParams();
      if (state.text) query.set("q", state.text);
      facets.forEach(f => { if (state[f]) query.set(f, state[f]); });
      if (state.sort) query.set("sort", state.sort);
      history.replaceState(history.state, "", withQuery(query));
    }

    // Before the rows are fetched: the counts over every row that the page carries.
    facets.forEach(f => fillSelect(f, (initialCounts[f] || []).slice(), total));
    count.textContent = `${total} of ${total} ${noun}`;
    reset.hidden = true;
    if (filtering()) {  // a linked, reloaded or revisited view: fetch at once
      writeAddress();
      if (state.text) loadWords();
      load();
    }
  }

  // Material's search box opens, with q in it, on any page whose address has ?q=, before
  // this script runs, and takes q out of the address when it closes. On a list page q is
  // the list's filter: the box is closed and emptied again, and the address gets q back
  // whenever the reader closes the search box later.
  function keepSearchClosed(root, query, writeAddress) {
    const toggle = document.getElementById("__search");
    const box = document.querySelector(".md-search__input");
    if (!toggle || !box) return;
    if (query && toggle.checked && box.value === query) {
      toggle.checked = false;
      box.value = "";
      box.blur();
    }
    // The toggle outlives the page under Material's instant navigation: a list page gone
    // from the document no longer writes the address.
    toggle.addEventListener("change", () => { if (!toggle.checked && root.isConnected) writeAddress(); });
  }

  // Most keys of a word leave the rows shown and the facets' counts as they were: then the
  // page is left alone, and the browser has nothing to lay out again.
  const written = new WeakMap();
  function replace(node, html) {
    if (written.get(node) === html) return;
    node.innerHTML = html;
    written.set(node, html);
  }

  function fetchJson(url) {
    return fetch(url).then(response => (response.ok ? response.json() : Promise.reject(new Error(response.statusText))));
  }

  // The character references the build writes (html.escape, and &#NN; for Markdown's characters).
  const NAMED = {amp: "&", lt: "<", gt: ">", quot: '"', apos: "'"};
  function decode(html) {
    return html.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (all, ref) => {
      if (ref[0] !== "#") return NAMED[ref.toLowerCase()];
      return String.fromCodePoint(ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)));
    });
  }

  function escape(value) {
    return String(value).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
  }

  function element(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([key, value]) => {
      if (key in node && key !== "ariaLabel") node[key] = value; else node.setAttribute(key, value);
    });
    (children || []).forEach(child => node.append(child));
    return node;
  }

  // Material's search box is a dialog without a name (axe: aria-dialog-name, serious), on
  // every page of the site: it gets the name its input already has ("Search" in the
  // site's language). Nothing else of the theme is changed.
  function nameSearchDialog() {
    const dialog = document.querySelector('.md-search[role="dialog"]:not([aria-label]):not([aria-labelledby])');
    const input = document.querySelector(".md-search__input[aria-label]");
    if (dialog && input) dialog.setAttribute("aria-label", input.getAttribute("aria-label"));
  }

  function init() {
    nameSearchDialog();
    document.querySelectorAll("[data-pm-explorer]").forEach(setup);
  }
  // Material's instant navigation swaps pages without a reload; it announces them on document$.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
