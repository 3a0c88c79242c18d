"""RDS: a new instance is `creating` for a while before it is `available`, as in RDS (where it takes minutes).

moto 5.2.1 makes every new instance available at once. Here CreateDBInstance and CreateDBInstanceReadReplica leave
the instance `creating` for the creation time: 0 s unless a test sets it through
POST /moto-api/ballast/rds/creation-seconds (until the next reset), so the suite stays fast.
"""
import time

from moto.rds import models

from .control import endpoint, on_reset

_creation = {"seconds": 0.0}


def _status(self):
    ready = self.__dict__.get("ballast_ready_at")
    if ready is not None and time.monotonic() < ready:
        return "creating"
    return self.__dict__.get("ballast_status", "available")


def _set_status(self, value):
    self.__dict__["ballast_status"] = value


def _creating(create):
    def wrapped(self, db_kwargs):
        instance = create(self, db_kwargs)
        # A replica is moto's copy of its source, the source's own creation time included: each gets its own.
        instance.ballast_ready_at = time.monotonic() + _creation["seconds"] if _creation["seconds"] > 0 else None
        return instance

    return wrapped


def set_creation_seconds(body):
    """How long the instances created from now on stay `creating`."""
    _creation["seconds"] = float(body["seconds"])
    return {"seconds": _creation["seconds"]}


def restore_creation_seconds():
    _creation["seconds"] = 0.0


models.DBInstance.status = property(_status, _set_status)
for name in ("create_db_instance", "create_db_instance_read_replica"):
    setattr(models.RDSBackend, name, _creating(getattr(models.RDSBackend, name)))
endpoint("rds/creation-seconds", set_creation_seconds)
on_reset(restore_creation_seconds)
