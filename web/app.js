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
