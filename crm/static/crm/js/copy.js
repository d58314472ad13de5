// A field to copy (the calendar URL): focusing it selects all of it, and its "Copy" button
// (data-copy-target, the field's id) puts it on the clipboard and says so in a live region.
// Where the clipboard is refused (plain http, an old browser) the field is left selected.
(() => {
  for (const field of document.querySelectorAll("[data-select-on-focus]")) {
    field.addEventListener("focus", () => field.select());
  }
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copyTarget);
      const status = document.getElementById(button.dataset.copyStatus);
      field.focus();
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = button.dataset.copied;
      } catch {
        status.textContent = button.dataset.copyFailed;
      }
    });
  }
})();
