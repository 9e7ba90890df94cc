// Enhancements only: every page works without this file.
// Moves focus to the error summary when a form is re-shown with errors (WCAG 3.3.1), so
// keyboard and screen reader users hear what went wrong first.
document.addEventListener('DOMContentLoaded', function () {
  var summary = document.querySelector('[data-module="error-summary"]');
  if (summary) { summary.focus(); }
  // Error summary links: focus the field itself, not only scroll to it.
  document.querySelectorAll('.error-summary a[href^="#"]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var target = document.getElementById(link.getAttribute('href').slice(1));
      if (!target) { return; }
      var details = target.closest('details');
      if (details) { details.open = true; }
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: 'center' });
    });
  });
});
