// Behaviour the pages share, from a file (the Content-Security-Policy allows no inline script).
// <select data-autosubmit> submits its form when the choice changes.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
