// Tell Attune the device's time zone (a cookie read at login) so reminders come at a sensible
// local time until the trainee chooses a zone. Also fills the login form's hidden field, if any,
// and offers the zone on the reminder settings page (a static file: the CSP allows no inline script).
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  document.cookie = "attune_device_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  var field = document.querySelector('input[name="device_time_zone"]');
  if (field) field.value = zone;
  var offer = function () {
    var button = document.getElementById("use-device-zone"), select = document.getElementById("time_zone");
    // Offered only when the list knows the zone (a browser may report one the select lacks).
    if (!button || !select || !select.querySelector('option[value="' + zone + '"]')) return;
    button.hidden = false;
    button.textContent = button.getAttribute("data-label") + " (" + zone + ")";
    button.addEventListener("click", function () { select.value = zone; });
  };
  // Loaded with defer, so the page is parsed; the check keeps it right if it is ever loaded earlier.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", offer);
  else offer();
})();
