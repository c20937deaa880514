// Progressive enhancement only: every console flow works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Keep a double click from submitting a form twice.
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = true;
    });
  }
});
document.addEventListener("DOMContentLoaded", () => {
  // "Copy" buttons for secrets shown once; hidden without JavaScript, where selecting the text works.
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = "Copied";
    });
  }
});
