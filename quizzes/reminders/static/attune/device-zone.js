// Tell Attune the device's time zone (a cookie read at login) so reminders come at a sensible
// local time until the trainee chooses a zone. Also fills the login form's hidden field, if any.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  document.cookie = "attune_device_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  var field = document.querySelector('input[name="device_time_zone"]');
  if (field) field.value = zone;
})();
