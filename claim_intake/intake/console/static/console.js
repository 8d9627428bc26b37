// The console's few behaviours, without a framework: OCR boxes on and off, a finding's evidence
// shown on its page, copying a message or a link.
(function () {
  "use strict";
  var toggle = document.getElementById("toggle-lines");
  if (toggle) {
    toggle.checked = localStorage.getItem("claim-intake.lines") === "1";
    document.body.classList.toggle("show-lines", toggle.checked);
    toggle.addEventListener("change", function () {
      document.body.classList.toggle("show-lines", toggle.checked);
      localStorage.setItem("claim-intake.lines", toggle.checked ? "1" : "0");
    });
  }

  document.addEventListener("click", function (event) {
    var show = event.target.closest(".show-evidence");
    if (show) {
      var n = show.dataset.finding;
      document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
      document.querySelectorAll('.evidence[data-finding="' + n + '"]').forEach(function (el) { el.classList.add("active"); });
      document.querySelectorAll(".page[data-findings]").forEach(function (page) {
        if (page.dataset.findings.split(" ").indexOf(n) >= 0) { page.classList.add("active"); }
      });
      show.closest(".finding").classList.add("active");
      var page = document.getElementById(show.dataset.anchor);
      if (page) { page.scrollIntoView({ behavior: "smooth", block: "center" }); }
    }

    var copy = event.target.closest(".copy");
    if (copy) {
      var source = document.getElementById(copy.dataset.copy);
      var text = source ? source.textContent.trim() : "";
      var done = function () { copy.textContent = copy.dataset.done; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        // Plain-HTTP intranets have no Clipboard API: the old way still works there.
        var area = document.createElement("textarea");
        area.value = text;
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        area.remove();
        done();
      }
    }
  });
})();
