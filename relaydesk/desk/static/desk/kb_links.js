// "Insert link" buttons of the ticket page's knowledge base box: put the article's portal
// address into the reply at the cursor (or replacing the selection), then return to typing.
(function () {
  "use strict";
  if (window.relaydeskKbLinks) return; // loaded once even if the box is rendered again
  window.relaydeskKbLinks = true;

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-link]");
    if (!button) return;
    var panel = button.closest("[data-reply-target]");
    var textarea = document.getElementById(panel ? panel.dataset.replyTarget : "msg_body");
    if (!textarea) return;
    var url = button.dataset.insertLink;
    var value = textarea.value;
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    if (start == null) start = end = value.length;
    var before = value.slice(0, start), after = value.slice(end);
    var text = (before && !/\s$/.test(before) ? " " : "") + url + (after && !/^\s/.test(after) ? " " : "");
    textarea.value = before + text + after;
    var caret = before.length + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    var status = document.getElementById("kb-link-status");
    if (status) status.textContent = status.dataset.done;
  });
})();
