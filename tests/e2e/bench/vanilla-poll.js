// The baseline of the Slow-4G bench: the two polls of zwei-umfragen.html written by hand, as
// a careful webmaster would (labels, a status region, the same submission to the collector).
// It marks `mitmachen:ready:<id>` like the widgets, once its form works.
(function () {
  "use strict";
  var endpoint = document.currentScript.getAttribute("data-endpoint");
  document.querySelectorAll("form.poll").forEach(function (form) {
    var id = form.getAttribute("data-id");
    var max = Number(form.getAttribute("data-max"));
    var status = form.querySelector("[role=status]");
    var button = form.querySelector("button");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var choices = Array.prototype.map.call(form.querySelectorAll("input:checked"), function (input) {
        return input.value;
      });
      if (choices.length === 0 || choices.length > max) {
        status.textContent = choices.length === 0
          ? "Bitte wählen Sie eine Antwort."
          : "Bitte wählen Sie höchstens " + max + " Antworten.";
        return;
      }
      button.disabled = true;
      status.textContent = "Ihre Stimme wird gesendet …";
      fetch(endpoint + "/v1/widgets/" + encodeURIComponent(id) + "/submissions", {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
        body: JSON.stringify({ kind: "poll", choices: choices }),
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        form.querySelector("fieldset").disabled = true;
        status.textContent = "Vielen Dank, Ihre Stimme wurde gezählt.";
      }).catch(function () {
        button.disabled = false;
        status.textContent = "Die Stimme konnte nicht gesendet werden. Bitte versuchen Sie es noch einmal.";
      });
    });
    performance.mark("mitmachen:ready:" + id);
  });
})();
