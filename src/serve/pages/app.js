// The timer shows the time the server keeps; answers are saved as they are given.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  if (timer) {
    var end = Date.now() + parseInt(timer.getAttribute("data-left"), 10);
    var tick = function () {
      var left = Math.max(0, end - Date.now());
      var s = Math.floor(left / 1000);
      var m = Math.floor(s / 60);
      timer.textContent = m + ":" + String(s % 60).padStart(2, "0");
      if (left <= 0) {
        window.location.reload();
        return;
      }
      window.setTimeout(tick, 500);
    };
    tick();
  }
  var form = document.getElementById("paper");
  if (!form) return;
  var state = document.getElementById("saved-state");
  var csrf = form.querySelector("input[name=csrf]").value;
  var save = function (fieldset) {
    var n = fieldset.getAttribute("data-number");
    var body = new URLSearchParams();
    body.append("csrf", csrf);
    body.append("present", n);
    var given = false;
    fieldset.querySelectorAll("input").forEach(function (i) {
      if (i.name !== "q" + n) return;
      if ((i.type === "radio" || i.type === "checkbox") && !i.checked) return;
      body.append(i.name, i.value);
      if (i.value.trim() !== "") given = true;
    });
    state.textContent = state.getAttribute("data-saving") || "…";
    return fetch(form.getAttribute("action"), {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().then(function (j) {
        state.textContent = j.message;
        fieldset.setAttribute("data-saved", r.ok ? "yes" : "no");
        // The one-question view's strip of numbers shows which questions are answered.
        var cell = document.querySelector(".strip button[data-n='" + n + "']");
        if (r.ok && cell) {
          cell.classList.toggle("answered", given);
          var count = document.getElementById("answered");
          if (count) {
            var k = document.querySelectorAll(".strip button.answered").length;
            count.textContent = count.getAttribute("data-template").replace("{k}", k);
          }
        }
        if (!r.ok && r.status === 409) window.location.reload();
      });
    }).catch(function () {
      state.textContent = "⚠ " + (state.getAttribute("data-offline") || "offline");
      fieldset.setAttribute("data-saved", "no");
    });
  };
  var timers = {};
  form.querySelectorAll("fieldset.question").forEach(function (fs) {
    fs.addEventListener("change", function () { save(fs); });
    fs.addEventListener("input", function (e) {
      if (e.target.type !== "text") return;
      var n = fs.getAttribute("data-number");
      window.clearTimeout(timers[n]);
      timers[n] = window.setTimeout(function () { save(fs); }, 600);
    });
  });
})();
