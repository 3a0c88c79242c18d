"""Control endpoints for tests, served under moto's own /moto-api/ prefix (the only path moto routes to itself)."""
import json

from moto.moto_api._internal import models, urls

_resets = []
_reset = models.MotoAPIBackend.reset


def endpoint(path, handler):
    """POST /moto-api/ballast/<path>: handler(body dict) -> result dict, answered as JSON (400 when the handler raises
    KeyError or ValueError over the body)."""

    def respond(request, full_url, headers):
        if request.method != "POST":
            return 405, {}, json.dumps({"error": "POST only"})
        raw = request.get_data() if hasattr(request, "get_data") else request.body
        body = json.loads(raw or b"{}") if raw else {}
        try:
            return 200, {"Content-Type": "application/json"}, json.dumps(handler(body))
        except (KeyError, ValueError) as err:
            # A body the handler cannot use is the caller's mistake: said in JSON, not as werkzeug's HTML error page.
            return 400, {"Content-Type": "application/json"}, json.dumps({"error": f"{type(err).__name__}: {err}"})

    urls.url_paths["{0}/moto-api/ballast/" + path + "$"] = respond


def on_reset(restore):
    """restore() runs on every POST /moto-api/reset, so a setting made through an endpoint lasts until the next reset."""
    _resets.append(restore)


def reset(self):
    _reset(self)
    for restore in _resets:
        restore()


models.MotoAPIBackend.reset = reset
