// Doctor's pages: show each flag's clinical reason on hover and on keyboard focus.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.bootstrap) {
    return; // the title attribute still shows the reason on hover
  }
  document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach((element) => {
    new bootstrap.Tooltip(element, { trigger: "hover focus" });
  });
});
