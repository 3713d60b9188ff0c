// Keep what a trainee types if the page is lost (expired session, a network error, a closed tab):
// textareas with data-draft are saved locally as they type and restored when they come back empty;
// an element with data-draft-saved tells us the server has the text, so the local copy goes.
(function () {
  function storage() { try { return window.localStorage; } catch (e) { return null; } }
  var store = storage();
  if (!store) { return; }
  document.querySelectorAll("[data-draft-saved]").forEach(function (el) {
    store.removeItem("attune-draft:" + el.getAttribute("data-draft-saved"));
  });
  document.querySelectorAll("textarea[data-draft]").forEach(function (area) {
    var key = "attune-draft:" + area.getAttribute("data-draft");
    if (!area.value && store.getItem(key)) {
      area.value = store.getItem(key);
    }
    area.addEventListener("input", function () { store.setItem(key, area.value); });
  });
})();
