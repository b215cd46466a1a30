/* Explorers (/postmortems/, /action-items/): free-text filter, facets with counts, sorting.
 *
 * Progressive enhancement over the static table the page already holds (which reads
 * fine without JavaScript): every row carries its facet values in data attributes.
 * No framework and nothing from another site, so it works on an offline internal site;
 * filtering toggles `hidden` on rows, which stays fast with thousands of them.
 * Filters are mirrored in the URL query (?service=checkout-api) so a view can be linked.
 * An explorer with `data-words` also matches more of each row's words, from a file of the
 * site fetched when the filter is first used (see `fetchWords`).
 */
(function () {
  "use strict";

  const LABELS = {severity: "Severity", type: "Type", status: "Status", service: "Service",
                  team: "Team", cause: "Cause", year: "Year", owner: "Owner", state: "State",
                  tracker: "Tracker"};

  function setup(root) {
    // The rows to filter: in one sortable table (the default) or across several tables.
    const scope = document.querySelector(root.dataset.scope || "table.pm-list");
    if (!scope || root.dataset.ready) return;
    root.dataset.ready = "1";
    const table = scope.tagName === "TABLE" ? scope : null;
    const noun = root.dataset.noun || "postmortems";
    const facets = root.dataset.facets.split(" ");
    const rows = Array.from(scope.querySelectorAll("tr[data-text]"));
    const values = row => name => (row.dataset[name] || "").split("|").filter(Boolean);
    rows.forEach(row => {
      row.facetValues = Object.fromEntries(facets.map(f => [f, values(row)(f)]));
      row.searchText = row.dataset.text;  // what the text filter matches; fetchWords adds to it
    });
    // Resolved now: Material's instant navigation may change the address before the fetch.
    const wordsUrl = root.dataset.words ? new URL(root.dataset.words, location.href) : null;
    let wordsFetched = false;

    const params = new URLSearchParams(location.search);
    const state = {text: params.get("q") || "", sort: "date", descending: true};
    facets.forEach(f => { state[f] = params.get(f) || ""; });

    // Controls: a search box, one <select> per facet, a count. Each control has a name
    // (the box its aria-label, a facet its <label>); the count is a status region, which
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

    search.addEventListener("input", () => { state.text = search.value; fetchWords(); update(); });
    facets.forEach(f => selects[f].addEventListener("change", () => { state[f] = selects[f].value; update(); }));
    reset.addEventListener("click", () => {
      state.text = search.value = "";
      facets.forEach(f => { state[f] = ""; });
      update();
    });
    // A sortable heading holds a button: Tab reaches it, Enter and Space press it, and a
    // screen reader says it is one; the heading's aria-sort says the order.
    (table ? table.querySelectorAll("th[data-sort]") : []).forEach(th => {
      const button = element("button", {type: "button", className: "pm-sort"}, Array.from(th.childNodes));
      th.append(button);
      button.addEventListener("click", () => {
        state.descending = state.sort === th.dataset.sort ? !state.descending : th.dataset.sort === "date";
        state.sort = th.dataset.sort;
        sort();
      });
    });

    // The words of each row that the page does not carry (kb.pages.explorer.WORDS: its
    // lessons, action items and causes' details), fetched once, when the filter first has
    // text: a page load costs nothing more. Until they arrive the filter matches the rows'
    // own text, then it refines; if they never do, it goes on matching that.
    function fetchWords() {
      if (wordsFetched || !wordsUrl || !state.text) return;
      wordsFetched = true;
      fetch(wordsUrl)
        .then(response => (response.ok ? response.json() : Promise.reject(new Error(response.statusText))))
        .then(words => {
          // Own keys only: an id such as "constructor" must not find Object's.
          const has = id => Object.prototype.hasOwnProperty.call(words, id);
          rows.forEach(row => { if (has(row.dataset.pm)) row.searchText = `${row.dataset.text} ${words[row.dataset.pm]}`; });
          update();
        })
        .catch(() => {});  // offline, or opened from disk: the row text still filters
    }

    function matches(row, except) {
      if (state.text) {
        const words = state.text.toLowerCase().split(/\s+/).filter(Boolean);
        if (!words.every(w => row.searchText.includes(w))) return false;
      }
      return facets.every(f => f === except || !state[f] || row.facetValues[f].includes(state[f]));
    }

    function update() {
      let shown = 0;
      rows.forEach(row => { row.hidden = !matches(row, null); if (!row.hidden) shown += 1; });
      // Each facet counts the rows that match every *other* filter, as faceted search does.
      facets.forEach(f => fillSelect(selects[f], f, rows.filter(row => matches(row, f))));
      count.textContent = `${shown} of ${rows.length} ${noun}`;
      if ("figures" in root.dataset) updateFigures(rows.filter(row => !row.hidden));
      reset.hidden = !state.text && facets.every(f => !state[f]);
      showYears();
      const query = new URLSearchParams();
      if (state.text) query.set("q", state.text);
      facets.forEach(f => { if (state[f]) query.set(f, state[f]); });
      history.replaceState(null, "", query.toString() ? `?${query}` : location.pathname);
    }

    // The board's headline and section counts, over the rows shown: the same definitions
    // as the page was built with (kb.analysis.action_item_states), so they always agree.
    function updateFigures(shown) {
      document.querySelectorAll("[data-count-state]").forEach(el => {
        el.textContent = String(shown.filter(row => row.dataset.state === el.dataset.countState).length);
      });
      const onTime = shown.filter(row => row.dataset.onTime !== undefined).map(row => Number(row.dataset.onTime));
      const days = shown.filter(row => row.dataset.daysToDone !== undefined).map(row => Number(row.dataset.daysToDone));
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

    function fillSelect(select, facet, matching) {
      const counts = new Map();
      matching.forEach(row => row.facetValues[facet].forEach(v => counts.set(v, (counts.get(v) || 0) + 1)));
      if (state[facet] && !counts.has(state[facet])) counts.set(state[facet], 0);
      const order = facet === "year" ? (a, b) => b[0].localeCompare(a[0])
                  : facet === "severity" ? (a, b) => a[0].localeCompare(b[0])
                  : (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]);
      const options = [element("option", {value: ""}, [`All (${matching.length})`])];
      Array.from(counts).sort(order).forEach(([value, n]) => {
        options.push(element("option", {value: value, selected: value === state[facet]}, [`${value} (${n})`]));
      });
      select.replaceChildren(...options);
    }

    function sortKey(row) {
      if (state.sort === "title") return row.querySelector("a").textContent.toLowerCase();
      if (state.sort === "severity") return Number(row.dataset.severityRank);
      return row.dataset.date + row.dataset.pm;
    }

    function sort() {
      const sign = state.descending ? -1 : 1;
      const byDate = state.sort === "date";
      const body = table.tBodies[0];
      const sorted = rows.slice().sort((a, b) => {
        const [x, y] = [sortKey(a), sortKey(b)];
        return sign * (x < y ? -1 : x > y ? 1 : 0) || (a.dataset.date < b.dataset.date ? 1 : -1);
      });
      // Sorted by date, rows stay under their year's heading; otherwise one flat list.
      if (byDate) {
        sorted.forEach(row => table.querySelector(`tbody[data-year="${row.dataset.year}"]`).append(row));
        const bodies = Array.from(table.tBodies).sort((a, b) => sign * a.dataset.year.localeCompare(b.dataset.year));
        bodies.forEach(b => table.append(b));
      } else {
        sorted.forEach(row => body.append(row));
      }
      table.classList.toggle("pm-flat", !byDate);
      (table ? table.querySelectorAll("th[data-sort]") : []).forEach(th => {
        th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.descending ? "descending" : "ascending") : "none");
      });
      showYears();
    }

    function showYears() {
      if (!table) return;
      const flat = table.classList.contains("pm-flat");
      Array.from(table.tBodies).forEach(b => {
        const heading = b.querySelector("tr.pm-year");
        if (heading) heading.hidden = flat || !b.querySelector("tr[data-pm]:not([hidden])");
      });
    }

    fetchWords();  // a linked view (?q=...) filters at once
    update();
    if (table) sort();
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
