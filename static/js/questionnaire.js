// Branching of the pre-visit questionnaire (RULES.md 3.2): detail questions show only for the
// answers that reveal them (data-shown-values: radio values; data-shown-min: a number from).
// The server applies the same rule without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) {
    return;
  }
  form.querySelectorAll(".no-js-hint").forEach(function (hint) {
    hint.hidden = true;
  });

  function revealed(block) {
    var name = block.getAttribute("data-shown-when");
    var min = block.getAttribute("data-shown-min");
    if (min !== null) {
      var input = form.querySelector('input[name="' + name + '"]');
      var text = input ? input.value.trim() : "";
      return /^\d+$/.test(text) && parseInt(text, 10) >= parseInt(min, 10);
    }
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    var values = (block.getAttribute("data-shown-values") || "").split(" ");
    return checked !== null && values.indexOf(checked.value) !== -1;
  }

  function update() {
    form.querySelectorAll("[data-shown-when]").forEach(function (block) {
      var show = revealed(block);
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !show;
      });
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();

  // Leaving a step with answers not yet saved asks first; every button of the step (Next, Back,
  // Save, the language buttons) saves it, so submitting the form never asks.
  var unsaved = false;
  form.addEventListener("input", function () {
    unsaved = true;
  });
  form.addEventListener("change", function () {
    unsaved = true;
  });
  form.addEventListener("submit", function () {
    unsaved = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  var errors = document.getElementById("form-errors");
  if (errors) {
    errors.focus();
  }
})();
