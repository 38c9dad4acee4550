/* Urgent-ticket alerts in the desk.
 *
 * The header's notification badge is polled by htmx; when unread urgent notifications exist,
 * the poll response carries them in an HX-Trigger header ("relaydesk:urgent"). Each one is
 * shown once (the browser remembers the highest id shown) in the page's role="alert" region,
 * and as a browser notification when the agent allowed them (asked on a click, never on load).
 */
(function () {
  "use strict";
  var KEY = "relaydesk.urgentShownUpTo";

  function shownUpTo() {
    try { return parseInt(window.localStorage.getItem(KEY) || "0", 10) || 0; } catch (e) { return 0; }
  }
  function remember(id) {
    try { window.localStorage.setItem(KEY, String(id)); } catch (e) { /* private mode */ }
  }

  function showOnPage(region, alert) {
    var item = document.createElement("p");
    item.className = "urgent-alert";
    item.dataset.id = alert.id;
    var label = document.createElement("strong");
    label.textContent = (region.dataset.label || "Urgent") + ": ";
    item.appendChild(label);
    var link = document.createElement(alert.url ? "a" : "span");
    if (alert.url) { link.href = alert.url; }
    link.textContent = alert.title;
    item.appendChild(link);
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "small";
    dismiss.textContent = region.dataset.dismiss || "Dismiss";
    dismiss.addEventListener("click", function () { item.remove(); });
    item.appendChild(dismiss);
    region.appendChild(item);
  }

  function showInBrowser(alert) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    try {
      var note = new Notification(alert.title, { tag: "relaydesk-" + alert.id });
      note.onclick = function () { window.focus(); if (alert.url) { window.location.href = alert.url; } };
    } catch (e) { /* some browsers only allow notifications from a service worker */ }
  }

  document.addEventListener("relaydesk:urgent", function (event) {
    var region = document.getElementById("urgent-alerts");
    var alerts = (event.detail && event.detail.alerts) || [];
    var last = shownUpTo();
    var fresh = alerts.filter(function (a) { return a.id > last; });
    fresh.sort(function (a, b) { return a.id - b.id; });
    fresh.forEach(function (alert) {
      if (region) { showOnPage(region, alert); }
      showInBrowser(alert);
      last = Math.max(last, alert.id);
    });
    if (fresh.length) { remember(last); }
  });

  function setUpPermissionButton() {
    var button = document.getElementById("enable-browser-alerts");
    if (!button || !("Notification" in window) || Notification.permission !== "default") { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { button.hidden = Notification.permission !== "default"; };
      var asked = Notification.requestPermission(done);
      if (asked && asked.then) { asked.then(done); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpPermissionButton);
  } else {
    setUpPermissionButton();
  }
}());
