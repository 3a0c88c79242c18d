"""RDS: ModifyDBInstance with ApplyImmediately=false waits for the maintenance window, as RDS does.

moto 5.2.1 applies every modification at once and never fills PendingModifiedValues. Here the fields RDS defers
are held in PendingModifiedValues until a test opens the window (POST /moto-api/ballast/rds/open-maintenance-window)
or a later ModifyDBInstance says ApplyImmediately=true; everything else still applies at once.
"""
from moto.rds import models

from .control import endpoint

# ModifyDBInstance arguments (moto's snake case) that RDS defers to the window, and their PendingModifiedValues names.
DEFERRED = {
    "db_instance_class": "DBInstanceClass",
    "allocated_storage": "AllocatedStorage",
    "storage_type": "StorageType",
    "iops": "Iops",
    "storage_throughput": "StorageThroughput",
    "multi_az": "MultiAZ",
    "engine_version": "EngineVersion",
    "db_subnet_group_name": "DBSubnetGroupName",
    "ca_certificate_identifier": "CACertificateIdentifier",
    "license_model": "LicenseModel",
}
SNAKE = {field: arg for arg, field in DEFERRED.items()}
SNAKE["BackupRetentionPeriod"] = "backup_retention_period"

_modify = models.RDSBackend.modify_db_instance


def _pending(db):
    return dict(getattr(db, "pending_modified_values", None) or {})


def _apply_pending(db, kwargs):
    """Pending values join the modification (the request's own values win) and leave PendingModifiedValues."""
    for field, value in _pending(db).items():
        if SNAKE[field] not in kwargs or kwargs[SNAKE[field]] is None:
            kwargs[SNAKE[field]] = value
    db.pending_modified_values = None


def _defer(db, kwargs):
    pending = _pending(db)
    deferred = dict(DEFERRED)
    # Retention changes apply at once, except turning automated backups on or off (0 <-> non-zero).
    retention = kwargs.get("backup_retention_period")
    if retention is not None and (int(retention) == 0) != (int(db.backup_retention_period or 0) == 0):
        deferred["backup_retention_period"] = "BackupRetentionPeriod"
    for arg, field in deferred.items():
        value = kwargs.get(arg)
        if value is None:
            continue
        del kwargs[arg]
        # Asking for the live value again replaces the pending change with no change: it is cancelled.
        if value == getattr(db, arg, None):
            pending.pop(field, None)
        else:
            pending[field] = value
    db.pending_modified_values = pending or None


def modify_db_instance(self, db_instance_identifier, db_kwargs):
    db = self.describe_db_instances(db_instance_identifier)[0]
    if db_kwargs.get("apply_immediately"):
        _apply_pending(db, db_kwargs)
    else:
        _defer(db, db_kwargs)
    return _modify(self, db_instance_identifier, db_kwargs)


def open_maintenance_window(body):
    """Applies every pending modification (of one instance when the body names DBInstanceIdentifier)."""
    applied = []
    only = body.get("DBInstanceIdentifier")
    for regions in models.rds_backends.values():
        for backend in regions.values():
            for db in list(backend.databases.values()):
                if (only and db.db_instance_identifier != only) or not _pending(db):
                    continue
                kwargs = {}
                _apply_pending(db, kwargs)
                db.update(**kwargs)
                applied.append(db.db_instance_identifier)
    return {"applied": sorted(applied)}


models.RDSBackend.modify_db_instance = modify_db_instance
endpoint("rds/open-maintenance-window", open_maintenance_window)
