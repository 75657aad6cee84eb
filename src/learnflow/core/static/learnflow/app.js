// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:afterSwap", function (event) {
  // After a quick capture, put the cursor back in the box so the next learning can be typed at once.
  var input = event.detail.target.querySelector && event.detail.target.querySelector("[data-autofocus]");
  if (input) { input.focus(); }
});
document.addEventListener("keydown", function (event) {
  // "n" anywhere (outside a field) jumps to quick capture.
  var tag = (event.target.tagName || "").toLowerCase();
  if (event.key === "n" && !event.ctrlKey && !event.metaKey && !event.altKey && tag !== "input" && tag !== "textarea" && tag !== "select") {
    var box = document.getElementById("quick-title");
    if (box) { event.preventDefault(); box.focus(); }
  }
});
// The user menu is a <details>: close it with Escape or a click elsewhere, as people expect of a menu.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") { return; }
  document.querySelectorAll("details.usermenu[open]").forEach(function (menu) {
    menu.removeAttribute("open");
    var summary = menu.querySelector("summary");
    if (summary) { summary.focus(); }
  });
});
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.usermenu[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
  });
});
