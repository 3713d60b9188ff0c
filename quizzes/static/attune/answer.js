// Forms marked data-timed send how long the trainee took (a quick, sure, best answer rates Easy in review)
// and disable their button on submit, so a double click sends one answer.
(function () {
  document.querySelectorAll("form[data-timed]").forEach(function (form) {
    var shown = Date.now();
    form.addEventListener("submit", function () {
      form.elements.seconds.value = ((Date.now() - shown) / 1000).toFixed(1);
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
    });
  });

  // Keys 1-4 choose a reply option (progressive enhancement: without this script the radios work as usual).
  var options = document.querySelectorAll(".reply-options input[type=radio]");
  if (options.length) {
    document.querySelectorAll("[data-key-hint]").forEach(function (hint) { hint.hidden = false; });
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var target = event.target;
      if (target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type === "text"))) { return; }
      var index = "1234".indexOf(event.key);
      if (index < 0 || index >= options.length) { return; }
      event.preventDefault();
      options[index].checked = true;
      options[index].focus();
    });
  }
})();
