/* Small behaviours of every page, kept out of the HTML so the Content Security Policy can forbid
 * inline scripts. A button with data-print prints the page. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });
})();
