"""One request at a time, as each AWS call is atomic.

moto's backends are plain dictionaries and lists that its threaded server changes from one thread per connection:
a describe that iterates a dictionary while another request adds to it fails with "dictionary changed size during
iteration", and the client receives werkzeug's HTML error page instead of an AWS error. A lock around the dispatch
makes every request see the state before or after another, never half of it. The interpreter lock already runs
moto's Python one thread at a time, so little is lost: writing responses stays parallel, and so does reading a body
with a length (keep_alive.py reads it before moto sees it; a chunked body is read under the lock). moto's replay of a
recording, and SNS or EventBridge deliveries back to the emulator itself, would wait for the lock forever: Ballast
uses none of them.
A long poll of SQS (ReceiveMessage with WaitTimeSeconds) lets go of the lock while it waits, as other calls go on
during one at AWS; it reads the queue again when it wakes.
"""
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.sqs.models import Queue

_lock = threading.Lock()
_held = threading.local()
_call = DomainDispatcherApplication.__call__


def _serial_call(self, environ, start_response):
    with _lock:
        _held.dispatching = True
        try:
            return _call(self, environ, start_response)
        finally:
            _held.dispatching = False


DomainDispatcherApplication.__call__ = _serial_call


_wait_for_messages = Queue.wait_for_messages


def _wait_unlocked(self, timeout):
    # Only a request's own dispatch holds the lock; a wait reached otherwise must not free another request's.
    if not getattr(_held, "dispatching", False):
        return _wait_for_messages(self, timeout)
    _lock.release()
    try:
        _wait_for_messages(self, timeout)
    finally:
        _lock.acquire()


Queue.wait_for_messages = _wait_unlocked
