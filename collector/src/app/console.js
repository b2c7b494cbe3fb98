// The console's only script, and nothing depends on it: the copy button beside a snippet
// (without the script the button stays hidden and the snippet can be selected by hand), and the
// live preview below.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const target = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copied-for="${button.dataset.copy}"]`);
  if (!target || !status || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.textContent);
      status.textContent = button.dataset.done;
    } catch {
      status.textContent = button.dataset.failed;
    }
  });
}

// The live preview of a widget's page: while someone types in the definition form, the preview
// element is made again from the form's values, and the widget bundle (watching the page)
// mounts the new one. Without this script the preview shows what was last saved or sent.
const form = document.getElementById("definition-form");
let preview = document.getElementById("preview");
if (form && preview) {
  let timer;
  const renew = () => {
    const next = document.createElement("div");
    next.id = "preview";
    for (const name of ["data-mitmachen", "data-id", "data-endpoint"]) {
      next.setAttribute(name, preview.getAttribute(name));
    }
    for (const field of form.elements) {
      const name = field.name || "";
      if (name.startsWith("attr-data-") && field.value.trim() !== "") {
        next.setAttribute(name.slice(5), field.value.trim());
      }
    }
    const kind = next.getAttribute("data-mitmachen");
    if ((kind === "event" || kind === "newsletter") && !next.hasAttribute("data-privacy")) {
      next.setAttribute("data-privacy", "/datenschutz");
    }
    const list = document.createElement("ul");
    const rows = Number(form.elements.rows?.value || 0);
    for (let i = 0; i < rows; i++) {
      const text = form.elements[`row-text-${i}`]?.value.trim();
      if (!text) continue;
      const item = document.createElement("li");
      const key = form.elements[`row-key-${i}`]?.value.trim();
      if (key) item.dataset.key = key;
      const description = form.elements[`row-description-${i}`]?.value.trim();
      if (description) {
        const title = document.createElement("strong");
        title.textContent = text;
        item.append(title, `: ${description}`);
      } else {
        item.textContent = text;
      }
      list.append(item);
    }
    if (list.children.length > 0) next.append(list);
    preview.replaceWith(next);
    preview = next;
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(renew, 400);
  });
}
