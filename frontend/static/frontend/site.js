// Behaviour the pages share, from a file (the Content-Security-Policy allows no inline script).
// <select data-autosubmit> submits its form when the choice changes.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

// The bank's approval form: amount and pledge ratio (in percent of the collateral's value, the field's
// data-collateral-value) follow each other as either is typed.
document.addEventListener("input", (event) => {
  const field = event.target;
  const value = Number(field.dataset ? field.dataset.collateralValue : NaN);
  if (!field.form || !(value > 0)) return;
  const typed = Number(field.value);
  if (field.value === "" || Number.isNaN(typed)) return;
  if (field.name === "amount" && field.form.elements.pledge_ratio) {
    field.form.elements.pledge_ratio.value = (typed / value * 100).toFixed(2);
  } else if (field.name === "pledge_ratio" && field.form.elements.amount) {
    field.form.elements.amount.value = (value * typed / 100).toFixed(2);
  }
});
