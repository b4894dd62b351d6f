// A saved reply picked from the list fills the message box, where it stays editable.
document.querySelectorAll("select[data-saved-reply]").forEach((select) => {
  select.addEventListener("change", () => {
    const option = select.selectedOptions[0];
    const box = document.getElementById(select.dataset.savedReply);
    if (!option || !option.value || !box) return;
    box.value = option.dataset.text;
    box.focus();
  });
});
