// The console's only script, and nothing depends on it: the copy button beside a snippet
// (without the script the button stays hidden and the snippet can be selected by hand).
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
