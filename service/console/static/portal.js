// The portal link carries the patient's token in the URL fragment (#token=...). A fragment is never sent to
// a server, so the token is not in any request line, access log or Referer. This script moves it into the
// form below and posts it; the server answers with an HttpOnly cookie and the patient's page.
(function () {
  var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) { return; }
  history.replaceState(null, "", window.location.pathname);
  var form = document.getElementById("open-estimate");
  form.elements.token.value = decodeURIComponent(match[1]);
  form.submit();
})();
