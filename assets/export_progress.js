// A dashboard export takes seconds (the PDF of a busy dashboard about 6 s), and a plain
// download link shows nothing until the file arrives, so people clicked again. Fetch it
// instead, say that it is being made, and save it when it is there.
document.addEventListener("click", function (ev) {
  var link = ev.target.closest && ev.target.closest('a[href*="/export?format="]');
  var status = document.getElementById("dash-export-status");
  if (!link || !status || !window.fetch || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  var what = (link.querySelector("p") || link).textContent.trim();
  status.textContent = "Preparing the " + what + "…";
  fetch(link.href, { credentials: "same-origin" })
    .then(function (r) {
      if (!r.ok) throw new Error("the server answered " + r.status);
      var m = (r.headers.get("Content-Disposition") || "").match(/filename="?([^";]+)"?/);
      var name = m ? m[1] : "dashboard";
      return r.blob().then(function (blob) {
        var url = URL.createObjectURL(blob), save = document.createElement("a");
        save.href = url;
        save.download = name;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        status.textContent = what + " downloaded: " + name + ".";
      });
    })
    .catch(function (e) {
      status.textContent = "The " + what + " could not be made (" + e.message + "). Try again.";
    });
}, true);
