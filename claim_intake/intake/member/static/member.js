// The member pages' only script: checks as the member types, photos shrunk before upload, and the
// claim's materials refreshed while they are read. Every page also works without it.
(function () {
  "use strict";
  var W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], C = "10X98765432";
  function idProblem(v) {
    v = v.trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(v)) return "身份证号应为18位，最后一位可能是X";
    var y = +v.slice(6, 10), m = +v.slice(10, 12), d = +v.slice(12, 14), born = new Date(y, m - 1, d);
    if (born.getMonth() !== m - 1 || born > new Date() || y < 1900) return "身份证号中的出生日期不对，请核对";
    var s = 0; for (var i = 0; i < 17; i++) s += +v[i] * W[i];
    return C[s % 11] === v[17] ? "" : "身份证号校验位不对，请逐位核对";
  }
  var checks = {
    id: idProblem,
    phone: function (v) { return /^1[3-9]\d{9}$/.test(v.replace(/[\s-]/g, "")) ? "" : "请填写11位手机号"; },
    name: function (v) { return /^[\u4e00-\u9fff·]{2,20}$/.test(v.trim()) ? "" : "请填写身份证上的中文姓名"; }
  };
  function say(input, text) {
    var err = document.getElementById("e-" + input.name);
    if (err) err.textContent = text;
    input.setAttribute("aria-invalid", text ? "true" : "false");
    return !text;
  }
  function today() { var d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 10); }
  function checkForm(form, all) {
    var ok = true;
    form.querySelectorAll("[data-check]").forEach(function (input) {
      if (all || input.value) ok = say(input, checks[input.dataset.check](input.value)) && ok;
    });
    var start = form.elements.start_date, end = form.elements.end_date, type = form.querySelector("[name=claim_type]:checked");
    if (start) {
      var inpatient = !type || type.value === "inpatient";
      form.querySelectorAll("[data-inpatient]").forEach(function (el) { el.hidden = !inpatient; });
      form.querySelectorAll("[data-visit]").forEach(function (el) { el.hidden = inpatient; });
      var t = today(), s = start.value, e = inpatient ? end.value : "";
      if (all && !type) { document.getElementById("e-claim_type").textContent = "请选择申报类型"; ok = false; }
      else if (type) document.getElementById("e-claim_type").textContent = "";
      if (s || all) ok = say(start, !s ? "请填写日期" : s > t ? "日期不能晚于今天" : "") && ok;
      if (inpatient && (e || all)) ok = say(end, !e ? "请填写出院日期" : e > t ? "日期不能晚于今天" : (s && e < s) ? "出院日期不能早于入院日期" : "") && ok;
      if (all && form.elements.hospital.value.trim().length < 2) ok = say(form.elements.hospital, "请填写就诊医院的全称") && ok;
      var consent = form.elements.consent;
      if (all && !consent.checked) { document.getElementById("e-consent").textContent = "请阅读并同意材料的使用说明"; ok = false; }
    }
    return ok;
  }
  document.querySelectorAll("form[data-validate]").forEach(function (form) {
    form.addEventListener("input", function () { checkForm(form, false); });
    form.addEventListener("change", function () { checkForm(form, false); });
    form.addEventListener("submit", function (ev) { if (!checkForm(form, true)) ev.preventDefault(); });
    checkForm(form, false);
  });

  // Photos shrunk on the phone: 2400 px on the long side is all the reader uses.
  var MAX_SIDE = 2400;
  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bmp) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
      if (scale === 1 && file.size < 1500000) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bmp.width * scale); canvas.height = Math.round(bmp.height * scale);
      canvas.getContext("2d").drawImage(bmp, 0, 0, canvas.width, canvas.height);
      return new Promise(function (done) {
        canvas.toBlob(function (blob) { done(blob ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file); }, "image/jpeg", 0.88);
      });
    }).catch(function () { return file; });
  }
  var live = document.getElementById("live"), status = document.getElementById("upload-status"), timer = null;
  function refresh() {
    fetch(live.dataset.part, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      live.innerHTML = html;
      poll();
    });
  }
  function poll() {
    clearTimeout(timer);
    var part = live && live.firstElementChild;
    if (part && part.dataset.reading === "1") timer = setTimeout(refresh, 1000);
  }
  var form = document.getElementById("upload");
  if (form && live && window.fetch && window.FormData) {
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files);
        if (!files.length) return;
        status.textContent = "正在上传…";
        Promise.all(files.map(shrink)).then(function (ready) {
          var data = new FormData();
          data.append("csrf_token", form.elements.csrf_token.value);
          ready.forEach(function (f) { data.append("files", f, f.name); });
          return fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                                      headers: { "Accept": "application/json", "X-CSRF-Token": form.elements.csrf_token.value } });
        }).then(function (r) { return r.json(); }).then(function (answer) {
          status.textContent = answer.problem || "已上传，正在识别…可以继续拍下一份。";
          input.value = "";
          refresh();
        }).catch(function () { status.textContent = "上传没有成功，请检查网络后再试。"; });
      });
    });
  }
  poll();
})();
