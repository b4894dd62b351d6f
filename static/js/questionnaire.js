// Branching of the pre-visit questionnaire (RULES.md 3.2): detail questions show only when
// their yes/no question is answered yes. The server applies the same rule without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) {
    return;
  }
  form.querySelectorAll(".no-js-hint").forEach(function (hint) {
    hint.hidden = true;
  });

  function answeredYes(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked !== null && checked.value === "yes";
  }

  function update() {
    form.querySelectorAll("[data-shown-when]").forEach(function (block) {
      var show = answeredYes(block.getAttribute("data-shown-when"));
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !show;
      });
    });
  }

  form.addEventListener("change", update);
  update();

  var errors = document.getElementById("form-errors");
  if (errors) {
    errors.focus();
  }
})();
