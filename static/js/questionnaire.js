// Branching of the pre-visit questionnaire (RULES.md 3.2): detail questions show only while their
// condition holds (data-shown-if: clauses on earlier questions, all or any of them; a clause is a
// question's posted values, or none of them with "not", or a number from "min"). A question not
// answered, or hidden itself, satisfies no clause, so a hidden answer never reveals another question.
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

  function answer(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      if (input.disabled) {
        continue;
      }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          return input.value;
        }
      } else if (input.value.trim() !== "") {
        return input.value.trim();
      }
    }
    return null;
  }

  function holds(clause) {
    var value = answer(clause.name);
    if (value === null) {
      return false;
    }
    if (clause.min !== undefined) {
      return /^\d+$/.test(value) && parseInt(value, 10) >= clause.min;
    }
    var found = clause.values.indexOf(value) !== -1;
    return clause.not ? !found : found;
  }

  function revealed(block) {
    var condition = JSON.parse(block.getAttribute("data-shown-if"));
    var results = condition.clauses.map(holds);
    return condition.join === "any"
      ? results.indexOf(true) !== -1
      : results.indexOf(false) === -1;
  }

  // In the page's order, so that a block hidden above is seen as unanswered by the blocks below it.
  function update() {
    form.querySelectorAll("[data-shown-if]").forEach(function (block) {
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
