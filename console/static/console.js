// opencube console: the little JavaScript the pages use. Every page works
// without it; it only asks before a change that cannot be undone.
"use strict";
document.addEventListener("submit", function (e) {
  var form = e.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    e.preventDefault();
  }
});
