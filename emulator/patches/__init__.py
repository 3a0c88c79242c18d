"""Small monkey-patches of moto 5.2.1's models, one module per service; importing the package applies them all."""
from . import autoscaling, dispatch, ecs, rds, rds_creation, rds_failures, recorder, serial, serialize, sts, warm  # noqa: F401
