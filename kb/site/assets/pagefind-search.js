/* /search-library/ (`pagefind: true`): Pagefind's own search UI over the bundle that
 * Pagefind wrote into the built site (see kb/pages/pagefind_markup.py).
 *
 * The page loads pagefind-ui.js from the bundle just before this file. The UI finds the
 * bundle, and the site's root for its result links, from that script's URL, so the
 * page works wherever the site is served, under a sub-path too. Only the chunks of the
 * index a query needs are fetched.
 */
(function () {
  "use strict";

  const element = document.getElementById("kb-pagefind");
  if (!element) return;
  if (typeof PagefindUI !== "function") {
    // The bundle is missing: the site was built without Pagefind, or it failed.
    element.textContent = "The search index is missing: this site was built without Pagefind.";
    return;
  }
  const ui = new PagefindUI({
    element: "#kb-pagefind",
    showImages: false,  // postmortems have no cover image; the UI would draw empty frames
    autofocus: true,  // the page is for searching: type at once
  });
  // ?query=... searches on load, so a search is a link that can be shared or bookmarked.
  // Not ?q=: Material's search box opens on that one.
  const query = new URLSearchParams(window.location.search).get("query");
  if (query) ui.triggerSearch(query);
})();
