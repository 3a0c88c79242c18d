"""The request recorder: one request at a time, so its lines never interleave.

moto 5.2.1 appends each recorded request with two buffered writes from the request's own thread; an entry longer
than the write buffer (a large CreateService or PutDashboard) goes out in pieces, and a request recorded at the same
time by another thread lands between them, breaking both lines.
"""
import threading

from moto.moto_api._internal.recorder.models import Recorder

_lock = threading.Lock()
_record = Recorder._record_request


def _record_request(self, request, body=None):
    with _lock:
        _record(self, request, body)


Recorder._record_request = _record_request
