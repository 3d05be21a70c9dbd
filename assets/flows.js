// Palette drag and drop: dash-flows reads "application/reactflow" on drop.
document.addEventListener("dragstart", function (ev) {
  var item = ev.target && ev.target.closest && ev.target.closest("[data-flow-kind]");
  if (!item || !ev.dataTransfer) return;
  ev.dataTransfer.setData(
    "application/reactflow",
    JSON.stringify({ type: "resizable", data: { kind: item.getAttribute("data-flow-kind") } })
  );
  ev.dataTransfer.effectAllowed = "move";
});
