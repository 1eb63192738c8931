// The reviewer page's little script: filters apply on change, the edit can start again from the draft,
// and a form is sent once. The page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  for (const button of document.querySelectorAll("button[data-reset-draft]")) {
    button.addEventListener("click", () => {
      const answer = button.form.querySelector("textarea[data-draft]");
      answer.value = answer.dataset.draft;
      answer.focus();
    });
  }
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }), 0);
    });
  }
});
