// Mantine's Pagination draws "previous page" and "next page" as buttons holding only an
// arrow icon, and dash-mantine-components cannot pass it labels (getControlProps is a
// function): screen readers announced them as "button". Name them, and name the control.
(function () {
  function label(root) {
    if (!root.getAttribute("role")) root.setAttribute("role", "navigation");
    var controls = root.querySelectorAll("button.mantine-Pagination-control");
    if (controls.length < 2) return;
    var first = controls[0], last = controls[controls.length - 1];
    if (!first.textContent.trim() && !first.getAttribute("aria-label")) {
      first.setAttribute("aria-label", "Previous page");
    }
    if (!last.textContent.trim() && !last.getAttribute("aria-label")) {
      last.setAttribute("aria-label", "Next page");
    }
  }
  new MutationObserver(function () {
    document.querySelectorAll(".mantine-Pagination-root").forEach(label);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
