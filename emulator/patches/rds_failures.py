"""RDS failures moto never produces on its own, for the restore-drill tests.

Its restores are available at once, its reads never fail and its latest restorable time is always "now". Each switch
below is off unless set through POST /moto-api/ballast/rds/failures (until the next reset), or from the start by the
environment variable beside it:
restoredStatus       EMULATOR_RDS_RESTORED_STATUS=creating   restored instances stay in that status (a restore that
                                                             takes forever);
failReadAfterRestore EMULATOR_RDS_FAIL_READ_AFTER_RESTORE=1  the first DescribeDBInstances naming a just-restored
                                                             instance is throttled;
backupLagSeconds     EMULATOR_RDS_BACKUP_LAG_SECONDS=n       LatestRestorableTime is n seconds old (moto says "now"),
                                                             as when backups lag.
"""
import os
from datetime import timedelta

from moto.core.utils import utcnow
from moto.rds import exceptions as rds_exceptions, models as rds_models, responses as rds_responses

from .control import endpoint, on_reset

_FROM_ENV = {
    "restoredStatus": os.environ.get("EMULATOR_RDS_RESTORED_STATUS") or None,
    "failReadAfterRestore": os.environ.get("EMULATOR_RDS_FAIL_READ_AFTER_RESTORE") == "1",
    "backupLagSeconds": int(os.environ.get("EMULATOR_RDS_BACKUP_LAG_SECONDS", "0")),
}
_switches = dict(_FROM_ENV)
_fail_next_read = set()


def restore_switched(restore):
    def wrapped(*args, **kwargs):
        instance = restore(*args, **kwargs)
        if _switches["restoredStatus"]:
            instance.status = _switches["restoredStatus"]
        if _switches["failReadAfterRestore"]:
            _fail_next_read.add(instance.db_instance_identifier)
        return instance

    return wrapped


def describe_db_instances(self):
    named = {self.params.get("DBInstanceIdentifier")} | {v for f in self.params.get("Filters", []) for v in f.get("Values", [])}
    failing = named & _fail_next_read
    if failing:
        _fail_next_read.difference_update(failing)
        raise rds_exceptions.RDSClientError("Throttling", "Rate exceeded")
    return _describe_db_instances(self)


def latest_restorable_time(self):
    lag = _switches["backupLagSeconds"]
    return utcnow() - timedelta(seconds=lag) if lag else _latest_restorable_time.fget(self)


def set_failures(body):
    """Sets the switches named in the body; answers all of them."""
    for name, value in body.items():
        if name not in _switches:
            raise ValueError(f"unknown RDS failure switch {name}")
        _switches[name] = value
    return _switches


def restore_failures():
    _switches.update(_FROM_ENV)
    _fail_next_read.clear()


_describe_db_instances = rds_responses.RDSResponse.describe_db_instances
_latest_restorable_time = rds_models.DBInstance.latest_restorable_time
for name in ("restore_db_instance_to_point_in_time", "restore_db_instance_from_db_snapshot"):
    setattr(rds_models.RDSBackend, name, restore_switched(getattr(rds_models.RDSBackend, name)))
rds_responses.RDSResponse.describe_db_instances = describe_db_instances
rds_models.DBInstance.latest_restorable_time = property(latest_restorable_time)
endpoint("rds/failures", set_failures)
on_reset(restore_failures)
