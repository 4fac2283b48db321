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

// A long list of rights to choose from (checkboxes or a <select> marked data-picker="<placeholder>") gets a
// search box: typing an application number or words of a title hides the other choices (checked ones stay).
function addPicker(first, options, hide) {
  const box = document.createElement("input");
  box.type = "search";
  box.className = "picker-search";
  box.placeholder = first.dataset.picker;
  box.setAttribute("aria-label", first.dataset.picker);
  box.addEventListener("input", () => {
    const words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    options.forEach(([text, item, chosen]) => hide(item, !chosen() && !words.every((w) => text.includes(w))));
  });
  return box;
}
document.addEventListener("DOMContentLoaded", () => {
  const seen = new Set();
  document.querySelectorAll("input[type=checkbox][data-picker]").forEach((input) => {
    if (seen.has(input.name)) return;
    seen.add(input.name);
    const inputs = [...document.querySelectorAll(`input[type=checkbox][data-picker][name="${input.name}"]`)];
    const list = input.closest("div[id]");
    if (inputs.length < 8 || !list) return;
    const options = inputs.map((i) => [i.closest("label").textContent.toLowerCase(), i.closest("label").parentElement,
      () => i.checked]);
    list.before(addPicker(input, options, (item, hidden) => { item.hidden = hidden; }));
  });
  document.querySelectorAll("select[data-picker]").forEach((select) => {
    if (select.options.length < 8) return;
    const options = [...select.options].map((o) => [o.textContent.toLowerCase(), o, () => o.selected && o.value]);
    select.before(addPicker(select, options, (item, hidden) => { item.hidden = hidden; }));
  });
});
