"""Control endpoints for tests, served under moto's own /moto-api/ prefix (the only path moto routes to itself)."""
import json

from moto.moto_api._internal import urls


def endpoint(path, handler):
    """POST /moto-api/ballast/<path>: handler(body dict) -> result dict, answered as JSON."""

    def respond(request, full_url, headers):
        if request.method != "POST":
            return 405, {}, json.dumps({"error": "POST only"})
        raw = request.data if hasattr(request, "data") else request.body
        body = json.loads(raw or b"{}") if raw else {}
        return 200, {"Content-Type": "application/json"}, json.dumps(handler(body))

    urls.url_paths["{0}/moto-api/ballast/" + path + "$"] = respond
