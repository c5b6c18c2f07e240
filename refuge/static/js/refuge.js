// The few behaviours pages need beyond htmx, as a file: the Content-Security-Policy allows no
// inline script or event handler.
"use strict";

// A checkbox with data-check-all="NAME" ticks or clears every checkbox named NAME.
document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-check-all]");
  if (!box) return;
  const name = box.dataset.checkAll;
  document.querySelectorAll(`input[type=checkbox][name="${CSS.escape(name)}"]`).forEach((b) => {
    b.checked = box.checked;
  });
});
