/* /reading/: tick off postmortems as you read them; progress stays in this browser.
 *
 * Kept in localStorage under one key, as {postmortem id: true}: no server and no
 * account, so it works on a static, offline internal site. A postmortem listed in two
 * tracks is one reading, so ticking it ticks it everywhere. The checkboxes are
 * rendered disabled and enabled here, so without JavaScript nothing pretends to save.
 */
(function () {
  "use strict";

  const KEY = "kb-reading-progress";

  function load() {
    try {
      const read = JSON.parse(localStorage.getItem(KEY) || "{}");
      return read && typeof read === "object" ? read : {};
    } catch (error) {
      return {};  // storage disabled or a corrupt value: start afresh rather than break the page
    }
  }

  function save(read) {
    try {
      localStorage.setItem(KEY, JSON.stringify(read));
    } catch (error) {
      // Private mode or a full quota: the tick still shows until the page is left.
    }
  }

  function count(track) {
    const boxes = Array.from(track.querySelectorAll("input[data-reading-id]"));
    const done = boxes.filter(box => box.checked).length;
    const progress = track.querySelector("[data-reading-progress]");
    if (progress) progress.textContent = `${done} of ${boxes.length} read`;
    track.classList.toggle("kb-reading-complete", boxes.length > 0 && done === boxes.length);
  }

  function setup() {
    const tracks = Array.from(document.querySelectorAll("[data-reading-track]"));
    const boxes = Array.from(document.querySelectorAll("input[data-reading-id]"));
    if (!tracks.length) return;
    const read = load();
    boxes.forEach(box => {
      box.checked = Boolean(read[box.dataset.readingId]);
      box.disabled = false;
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      box.addEventListener("change", () => {
        const id = box.dataset.readingId;
        const now = load();  // re-read: another tab may have ticked something meanwhile
        if (box.checked) now[id] = true; else delete now[id];
        save(now);
        boxes.filter(other => other.dataset.readingId === id).forEach(other => { other.checked = box.checked; });
        tracks.forEach(count);
      });
    });
    tracks.forEach(count);
  }

  // Material's instant navigation swaps pages without a reload; it announces them on document$.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(setup);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
