"""ECS: services keep the fields CreateService is given, and deployments take time and can fail, as in ECS.

moto 5.2.1 drops deploymentConfiguration, healthCheckGracePeriodSeconds and enableExecuteCommand on CreateService,
leaves platformVersion empty on a Fargate service created without one (ECS reports LATEST), stores a bare family
on UpdateService instead of the revision ARN, starts no deployment on UpdateService, and
reports a rollout COMPLETED at once (or never). Here CreateService and every UpdateService that changes what runs
start a PRIMARY deployment that is IN_PROGRESS for the rollout time (0.3 s, or what a test sets through
POST /moto-api/ballast/ecs/rollout-seconds until the next reset), with tasks starting along the way, and then COMPLETED; a task definition with an image tagged `:broken` never starts its tasks: with the
deployment circuit breaker on, the deployment is FAILED after that time (and rolled back to the last completed one
when the breaker says rollback), with the service events ECS writes.
"""
import math
import random
import time
import uuid

from moto.core.utils import utcnow
from moto.ecs import models, responses

from .control import endpoint, on_reset

# Short, so the suite stays fast; a test that watches a rollout (or one that never ends) lengthens it.
DEFAULT_ROLLOUT_SECONDS = 0.3
_rollout = {"seconds": DEFAULT_ROLLOUT_SECONDS}
BROKEN_TAG = ":broken"
KEPT_ON_CREATE = {
    "deploymentConfiguration": "deployment_configuration",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "enableExecuteCommand": "enable_execute_command",
}
# UpdateService starts a new deployment when one of these changes (or with forceNewDeployment).
REDEPLOY_ON = ("task_definition", "network_configuration", "platform_version")

_create = responses.EC2ContainerServiceResponse.create_service
_update = models.EC2ContainerServiceBackend.update_service
_describe = models.EC2ContainerServiceBackend.describe_services


def _event(service, message):
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": f"(service {service.name}) {message}"})
    del service.events[100:]


def _broken(backend, task_definition):
    images = [c.get("image", "") for c in backend.describe_task_definition(task_definition).container_definitions]
    return any(image.endswith(BROKEN_TAG) for image in images)


def _deploy(backend, service):
    """A new PRIMARY deployment of the service's task definition; the ones before it drain as ACTIVE."""
    deployment = {
        "id": f"ecs-svc/{random.randrange(10**18, 10**19)}",
        "taskDefinition": service.task_definition,
        "startedAt": time.monotonic(),
        "createdAt": utcnow(),
        "rolloutState": "IN_PROGRESS",
        "broken": _broken(backend, service.task_definition),
    }
    service.ballast_deployments = [deployment, *getattr(service, "ballast_deployments", [])]
    return deployment


def _circuit_breaker(service):
    return (getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker") or {}


def _finish(backend, service, primary):
    """What ECS decides once the rollout time has passed: completed, failed (and maybe rolled back), or still trying."""
    if not primary["broken"]:
        primary["rolloutState"] = "COMPLETED"
        primary["completed"] = True
        service.ballast_deployments = [primary]
        _event(service, f"(deployment {primary['id']}) deployment completed.")
        _event(service, "has reached a steady state.")
        return
    breaker = _circuit_breaker(service)
    if not breaker.get("enable"):
        return  # ECS keeps starting tasks that fail, for as long as nobody intervenes.
    primary["rolloutState"] = "FAILED"
    _event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
    last_good = next((d for d in service.ballast_deployments if d.get("completed")), None)
    if breaker.get("rollback") and last_good:
        _event(service, f"rolling back to deployment {last_good['id']}.")
        service.task_definition = last_good["taskDefinition"]
        _deploy(backend, service)


def _advance(backend, service):
    deployments = getattr(service, "ballast_deployments", None)
    if not deployments:
        return
    primary = deployments[0]
    if primary["rolloutState"] == "IN_PROGRESS" and time.monotonic() - primary["startedAt"] >= _rollout["seconds"]:
        _finish(backend, service, primary)
    _render(service)


def _running(service, d, primary):
    desired = service.desired_count or 0
    if d["rolloutState"] == "FAILED" or d["broken"]:
        return 0
    if d["rolloutState"] == "COMPLETED":
        return desired
    if d is primary:
        seconds = _rollout["seconds"]
        return min(desired, math.floor(desired * (time.monotonic() - d["startedAt"]) / seconds)) if seconds else desired
    return desired  # an older deployment keeps serving until the new one is done


def _render(service):
    deployments = service.ballast_deployments
    primary = deployments[0]
    rendered = []
    for d in deployments:
        running = _running(service, d, primary)
        reason = {"IN_PROGRESS": "in progress.", "COMPLETED": "completed.", "FAILED": "failed: tasks failed to start."}[d["rolloutState"]]
        rendered.append(
            {
                "id": d["id"],
                "status": "PRIMARY" if d is primary else "ACTIVE",
                "taskDefinition": d["taskDefinition"],
                "desiredCount": service.desired_count,
                "runningCount": running,
                "pendingCount": max(0, (service.desired_count or 0) - running) if d is primary else 0,
                "failedTasks": (service.desired_count or 0) if d["broken"] else 0,
                "rolloutState": d["rolloutState"],
                "rolloutStateReason": f"ECS deployment {d['id']} {reason}",
                "launchType": service.launch_type,
                "platformVersion": service.platform_version,
                "networkConfiguration": service.network_configuration,
                "createdAt": d["createdAt"],
                "updatedAt": utcnow(),
            }
        )
    service.deployments = rendered
    service.running_count = sum(r["runningCount"] for r in rendered if r["status"] == "PRIMARY")
    service.pending_count = rendered[0]["pendingCount"]


def create_service(self):
    result = _create(self)
    backend = self.ecs_backend
    service = backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
    for param, attribute in KEPT_ON_CREATE.items():
        value = self._get_param(param)
        if value is not None:
            setattr(service, attribute, value)
    if service.launch_type == "FARGATE" and not service.platform_version:
        service.platform_version = "LATEST"
    if service.deployment_controller.get("type", "ECS") == "ECS" and service.task_definition:
        _deploy(backend, service)
        _render(service)
    return result


def update_service(self, service_properties):
    force = service_properties.get("force_new_deployment", False)
    existing = self._get_service(service_properties.get("cluster", "default"), service_properties["service"].split("/")[-1])
    before = {key: getattr(existing, key, None) for key in REDEPLOY_ON}
    service = _update(self, service_properties)
    if isinstance(service.task_definition, str) and not service.task_definition.startswith("arn:"):
        service.task_definition = self.describe_task_definition(service.task_definition).arn
    if getattr(service, "ballast_deployments", None) is not None:
        if force or any(getattr(service, key, None) != value for key, value in before.items()):
            _deploy(self, service)
        _render(service)
    return service


def describe_services(self, cluster_str, service_names_or_arns):
    services, failures = _describe(self, cluster_str, service_names_or_arns)
    for service in services:
        _advance(self, service)
    return services, failures


responses.EC2ContainerServiceResponse.create_service = create_service
models.EC2ContainerServiceBackend.update_service = update_service
models.EC2ContainerServiceBackend.describe_services = describe_services


def set_rollout_seconds(body):
    """How long the deployments started from now on take (and the ones in progress: their age is compared with it)."""
    _rollout["seconds"] = float(body["seconds"])
    return {"seconds": _rollout["seconds"]}


def restore_rollout_seconds():
    _rollout["seconds"] = DEFAULT_ROLLOUT_SECONDS


endpoint("ecs/rollout-seconds", set_rollout_seconds)
on_reset(restore_rollout_seconds)
