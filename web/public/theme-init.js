// Applied before first paint so a dark-mode user never sees a white flash. A separate file
// (not an inline script) so a strict Content-Security-Policy (script-src 'self') allows it.
(function () {
  try {
    var t = localStorage.getItem("polychat.theme") || "system";
    var dark = t === "dark" || (t === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
    if (dark) document.documentElement.classList.add("dark");
  } catch (e) {
    /* storage disabled: the app applies the theme once it loads */
  }
})();
