"""moto_server with two ECS gaps closed, so the emulator answers as ECS does.

moto 5.2 drops deploymentConfiguration, healthCheckGracePeriodSeconds and enableExecuteCommand on CreateService
(UpdateService keeps them), and UpdateService with a task definition family stores the bare family instead of
the revision ARN ECS reports. Without these fixes every converged estate would show spurious ECS drift.
Usage: python3 moto_server.py -H 127.0.0.1 -p PORT (the same arguments as moto_server).
"""
import sys

from moto.ecs import models, responses
from moto.server import main

_create = responses.EC2ContainerServiceResponse.create_service
_update = models.EC2ContainerServiceBackend.update_service

KEPT_ON_CREATE = {
    "deploymentConfiguration": "deployment_configuration",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "enableExecuteCommand": "enable_execute_command",
}


def create_service(self):
    result = _create(self)
    service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
    for param, attribute in KEPT_ON_CREATE.items():
        value = self._get_param(param)
        if value is not None:
            setattr(service, attribute, value)
    return result


def update_service(self, service_properties):
    service = _update(self, service_properties)
    if isinstance(service.task_definition, str) and not service.task_definition.startswith("arn:"):
        service.task_definition = self.describe_task_definition(service.task_definition).arn
    return service


responses.EC2ContainerServiceResponse.create_service = create_service
models.EC2ContainerServiceBackend.update_service = update_service

if __name__ == "__main__":
    main(sys.argv[1:])
