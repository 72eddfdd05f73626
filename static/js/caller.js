/* Caller's screen: keyboard shortcuts and focus after an htmx update. Vanilla JS, no build step.
 *
 * An element with data-shortcut="KeyX" answers Alt+X (Option+X on a Mac). The physical key is
 * read (event.code), so the shortcut works whatever the keyboard layout prints on it. Buttons and
 * links are clicked, a <summary> opens its <details> and focuses the first field, a fieldset
 * focuses its checked (or first) choice, a field is focused.
 */
(function () {
  "use strict";

  function focusFirstField(container) {
    var field = container.querySelector("input:checked, input, select, textarea, button");
    if (field) {
      field.focus();
    }
  }

  function activate(element) {
    if (element.tagName === "SUMMARY") {
      var details = element.parentElement;
      details.open = true;
      focusFirstField(details.querySelector("form") || details);
    } else if (element.tagName === "FIELDSET") {
      focusFirstField(element);
    } else if (element.tagName === "BUTTON" || element.tagName === "A") {
      if (!element.disabled) {
        element.click();
      }
    } else {
      element.focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.repeat) {
      return;
    }
    var element = document.querySelector('[data-shortcut="' + event.code + '"]');
    if (!element) {
      return;
    }
    event.preventDefault();
    activate(element);
  });

  // After htmx redraws the call report with something to correct, take the keyboard and screen
  // reader user to the message rather than leaving the focus on a button that no longer exists.
  document.body.addEventListener("htmx:afterSettle", function () {
    var errors = document.getElementById("compte-rendu-erreurs");
    if (errors) {
      errors.focus();
    }
  });
})();
