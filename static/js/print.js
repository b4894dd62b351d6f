// The Print button of the case summary and of the patient's copy of her answers; a static file because the Content Security Policy forbids inline handlers.
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
