"""What the first requests to the emulator would load, loaded in the background once it listens.

moto imports a service's modules at its first request, and reads botocore's model of each service the first time a
backend of it is made for an account, all under the lock that runs one request at a time (serial.py). The first
tagging call (GetResources) did both for some forty services: about 2.3 s of CPU, and on a loaded machine several
seconds during which every other request waited, a lease renewal too, so a new leader lost its right to send right
after it won the lease. At AWS nothing makes a DynamoDB call wait for a tagging call. Loaded from a thread of its
own, outside the lock, it costs no request a wait; a request that needs a module still being imported waits for that
module only.
"""
import gc
import importlib
import threading

from moto.core.base_backend import AccountSpecificBackend, BackendDict
from werkzeug.serving import BaseWSGIServer

# resourcegroupstaggingapi.models imports the models of every service it can tag (most of those below).
_MODULES = ["moto.resourcegroupstaggingapi.models"] + [
    f"moto.{service}.urls"
    for service in [
        "applicationautoscaling", "cloudwatch", "dynamodb", "ec2", "ecs", "elbv2", "events", "rds",
        "resourcegroupstaggingapi", "secretsmanager", "sns", "sqs", "sts",
    ]
]


def _warm():
    for name in _MODULES:
        importlib.import_module(name)
    # The regions of each service come from its botocore model, which the session keeps once read.
    session = AccountSpecificBackend.get_session()
    tagged = importlib.import_module("moto.resourcegroupstaggingapi.models")
    for backends in [v for v in vars(tagged).values() if isinstance(v, BackendDict)]:
        for partition in session.get_available_partitions():
            session.get_available_regions(backends.service_name, partition_name=partition)
    # What was loaded now is never collected either (the launcher froze what it had loaded at start).
    gc.freeze()


_serve_forever = BaseWSGIServer.serve_forever


def _serve_forever_warming(self, *args, **kwargs):
    # Only once the server listens and has said so ("Running on ..."): on a loaded machine a thread importing beside
    # the start slowed it past a minute.
    threading.Thread(target=_warm, name="warm-imports", daemon=True).start()
    return _serve_forever(self, *args, **kwargs)


BaseWSGIServer.serve_forever = _serve_forever_warming
