// After each step's page load, move focus to the new content (the client's latest words, or the
// feedback), so keyboard and screen-reader users start there instead of at the top of the page.
(function () {
  var target = document.querySelector("[data-autofocus]");
  if (target && !location.hash) {
    target.focus({ preventScroll: true });
  }
})();
