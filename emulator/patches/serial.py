"""One request at a time, as each AWS call is atomic.

moto's backends are plain dictionaries and lists that its threaded server changes from one thread per connection:
a describe that iterates a dictionary while another request adds to it fails with "dictionary changed size during
iteration", and the client receives werkzeug's HTML error page instead of an AWS error. A lock around the dispatch
makes every request see the state before or after another, never half of it. The interpreter lock already runs
moto's Python one thread at a time, so nothing is lost: reading request bodies and writing responses stay parallel.
A long poll of SQS (ReceiveMessage with WaitTimeSeconds) lets go of the lock while it waits, as other calls go on
during one at AWS; it reads the queue again when it wakes.
"""
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.sqs.models import Queue

_lock = threading.Lock()
_call = DomainDispatcherApplication.__call__


def _serial_call(self, environ, start_response):
    with _lock:
        return _call(self, environ, start_response)


DomainDispatcherApplication.__call__ = _serial_call


_wait_for_messages = Queue.wait_for_messages


def _wait_unlocked(self, timeout):
    _lock.release()
    try:
        _wait_for_messages(self, timeout)
    finally:
        _lock.acquire()


Queue.wait_for_messages = _wait_unlocked
