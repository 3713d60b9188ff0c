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
})();
