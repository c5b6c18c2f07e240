// The registration form offers names as the clerk types: a child's father's and family names
// from the head, Latin and Cyrillic spellings of names written in Arabic script. A suggestion
// only goes into a box that is empty or still holds the previous suggestion, never over what
// the clerk typed. Without JavaScript the form works as before, without suggestions.
(function () {
  "use strict";
  const form = document.getElementById("register-form");
  if (!form || !form.dataset.suggestUrl) return;
  let pending = 0;

  function apply(suggestions) {
    for (const [name, value] of Object.entries(suggestions)) {
      const box = form.elements.namedItem(name);
      if (!box || box.type !== "text") continue;
      if (box.value === "" || box.value === box.dataset.suggested) {
        box.value = value;
        box.dataset.suggested = value;
      }
    }
  }

  form.addEventListener("change", async function (event) {
    const target = event.target;
    if (!target.closest("fieldset.member") || target.closest(".instant-check")) return;
    pending += 1;
    form.dataset.suggesting = "1";
    try {
      const response = await fetch(form.dataset.suggestUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      });
      if (response.ok) apply(await response.json());
    } finally {
      pending -= 1;
      if (pending === 0) delete form.dataset.suggesting;
    }
  });
})();
