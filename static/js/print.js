// The case summary's Print button; a static file because the Content Security Policy forbids inline handlers.
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
