// Forms that show a block only when it applies (data-shown-when: a radio field's name;
// data-shown-values: the values that show it). Hidden blocks' fields are disabled, so they are
// not sent. Without JavaScript every block shows and the server ignores what does not apply.
(function () {
  "use strict";
  document.querySelectorAll("form[data-conditional-form]").forEach(function (form) {
    function update() {
      form.querySelectorAll("[data-shown-when]").forEach(function (block) {
        var name = block.getAttribute("data-shown-when");
        var checked = form.querySelector('input[name="' + name + '"]:checked');
        var values = (block.getAttribute("data-shown-values") || "").split(" ");
        var show = checked !== null && values.indexOf(checked.value) !== -1;
        block.hidden = !show;
        block.querySelectorAll("input, select, textarea").forEach(function (input) {
          input.disabled = !show;
        });
      });
    }
    form.addEventListener("change", update);
    update();
  });
})();
