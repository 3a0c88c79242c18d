"""RDS failures moto never produces on its own, for the restore-drill tests: switched on by environment variables.

Its restores are available at once, its reads never fail and its latest restorable time is always "now".
"""
import os
from datetime import timedelta

from moto.core.utils import utcnow
from moto.rds import exceptions as rds_exceptions, models as rds_models, responses as rds_responses

# Switches for what a test needs and moto never does on its own (its restores are available at once, its reads never
# fail). Off unless the emulator starts with them in its environment:
# EMULATOR_RDS_RESTORED_STATUS=creating  restored instances stay in that status (a restore that takes forever);
# EMULATOR_RDS_FAIL_READ_AFTER_RESTORE=1 the first DescribeDBInstances naming a just-restored instance is throttled;
# EMULATOR_RDS_BACKUP_LAG_SECONDS=n     LatestRestorableTime is n seconds old (moto says "now"), as when backups lag.
RESTORED_STATUS = os.environ.get("EMULATOR_RDS_RESTORED_STATUS")
FAIL_READ_AFTER_RESTORE = os.environ.get("EMULATOR_RDS_FAIL_READ_AFTER_RESTORE") == "1"
BACKUP_LAG_SECONDS = int(os.environ.get("EMULATOR_RDS_BACKUP_LAG_SECONDS", "0"))
_fail_next_read = set()


def restore_switched(restore):
    def wrapped(*args, **kwargs):
        instance = restore(*args, **kwargs)
        if RESTORED_STATUS:
            instance.status = RESTORED_STATUS
        if FAIL_READ_AFTER_RESTORE:
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


_describe_db_instances = rds_responses.RDSResponse.describe_db_instances
if RESTORED_STATUS or FAIL_READ_AFTER_RESTORE:
    for name in ("restore_db_instance_to_point_in_time", "restore_db_instance_from_db_snapshot"):
        setattr(rds_models.RDSBackend, name, restore_switched(getattr(rds_models.RDSBackend, name)))
    rds_responses.RDSResponse.describe_db_instances = describe_db_instances
if BACKUP_LAG_SECONDS:
    rds_models.DBInstance.latest_restorable_time = property(lambda _: utcnow() - timedelta(seconds=BACKUP_LAG_SECONDS))
