// Doctor's pages: flag reasons as tooltips, and the keyboard shortcuts listed in
// templates/triage/_shortcuts.html (j/k between cases, Enter opens, n next case, ? the list).
document.addEventListener("DOMContentLoaded", () => {
  if (window.bootstrap) {
    // Without Bootstrap's script the title attribute still shows the reason on hover.
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach((element) => {
      new bootstrap.Tooltip(element, { trigger: "hover focus" });
    });
  }

  const help = document.getElementById("shortcuts-help");
  const status = document.getElementById("shortcut-status");
  const rows = Array.from(document.querySelectorAll("tr.queue-row"));
  const next = document.querySelector("[data-shortcut-next]");
  let current = -1;

  const announce = (text) => {
    if (status) {
      status.textContent = text;
    }
  };

  const typing = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || Boolean(target.closest("input, textarea, select")));

  // Where the focus was when the list opened: it goes back there when the list closes (Esc, the
  // Close button or ?), not to the top of the page. With nothing focused, the button that opens it.
  let returnFocusTo = null;

  const toggleHelp = () => {
    if (!help) {
      return;
    }
    if (help.open) {
      help.close();
    } else {
      const active = document.activeElement;
      returnFocusTo =
        active instanceof HTMLElement && active !== document.body
          ? active
          : document.querySelector("[data-shortcuts-open]");
      help.showModal();
    }
  };

  if (help) {
    help.addEventListener("close", () => {
      if (returnFocusTo && returnFocusTo.isConnected) {
        returnFocusTo.focus();
      }
      returnFocusTo = null;
    });
  }

  const moveTo = (index) => {
    if (!rows.length) {
      return;
    }
    const target = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) {
      rows[current].classList.remove("is-current");
    }
    current = target;
    const row = rows[current];
    row.classList.add("is-current");
    const link = row.querySelector("a.case-link");
    if (link) {
      link.focus();
      row.scrollIntoView({ block: "nearest" });
      const template = (status && status.dataset.template) || "{n} / {total}: {name}";
      announce(
        template
          .replace("{n}", String(current + 1))
          .replace("{total}", String(rows.length))
          .replace("{name}", link.textContent.trim()),
      );
    }
  };

  document.querySelectorAll("[data-shortcuts-open]").forEach((button) => {
    button.addEventListener("click", toggleHelp);
  });

  // Focus moved by Tab or the mouse onto a case link becomes the row j/k continue from.
  rows.forEach((row, index) => {
    row.addEventListener("focusin", () => {
      if (current >= 0 && current !== index) {
        rows[current].classList.remove("is-current");
      }
      current = index;
      row.classList.add("is-current");
    });
  });

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (help && help.open) {
      return;
    }
    if (event.key === "j" && rows.length) {
      event.preventDefault();
      moveTo(current + 1);
    } else if (event.key === "k" && rows.length) {
      event.preventDefault();
      moveTo(current < 0 ? 0 : current - 1);
    } else if (event.key === "Enter" && current >= 0 && !event.target.closest("a, button")) {
      // Enter on the focused link opens it already; this covers focus left elsewhere in the row.
      const link = rows[current].querySelector("a.case-link");
      if (link) {
        event.preventDefault();
        link.click();
      }
    } else if (event.key === "n" && next) {
      event.preventDefault();
      next.click();
    }
  });
});
