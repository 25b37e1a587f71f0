// Print buttons: shown only when this script runs, and printing the page (its print
// stylesheet leaves only the document). Served by the app: the CSP forbids inline handlers.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
