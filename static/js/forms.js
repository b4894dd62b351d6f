// A form that comes back with errors moves focus to what needs attention, so a screen reader
// reads it at once: the first invalid field (its label and its linked error message), or else
// the form's own error message. The questionnaire has its error summary and handles this itself.
(function () {
  "use strict";
  if (document.getElementById("form-errors")) {
    return;
  }
  var target = document.querySelector("main form [aria-invalid=true]");
  if (!target) {
    target = document.querySelector("main form .alert-danger");
    if (target) {
      target.setAttribute("tabindex", "-1");
    }
  }
  if (target) {
    target.focus();
  }
})();
