"""STS: AssumeRole is refused, as by AWS, when the role does not exist or its trust policy wants another external id
(moto 5.2.1 hands out credentials for any role ARN)."""
import json

from moto.iam.models import iam_backends
from moto.sts import responses
from moto.sts.exceptions import STSClientError

_assume_role = responses.TokenResponse.assume_role


def _denied(role_arn):
    return STSClientError("AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}")


def _wanted_external_id(role):
    """The sts:ExternalId a StringEquals condition of the trust policy asks for, if any."""
    policy = role.assume_role_policy_document
    document = json.loads(policy) if isinstance(policy, str) else (policy or {})
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        wanted = statement.get("Condition", {}).get("StringEquals", {}).get("sts:ExternalId")
        if wanted is not None:
            return wanted
    return None


def assume_role(self):
    role_arn = self._get_param("RoleArn") or ""
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        raise _denied(role_arn)
    name = parts[5].split("/")[-1]
    roles = iam_backends[parts[4]]["aws"].roles.values() if parts[4] in iam_backends else []
    role = next((r for r in roles if r.name == name), None)
    if role is None:
        raise _denied(role_arn)
    wanted = _wanted_external_id(role)
    if wanted is not None and wanted != self._get_param("ExternalId"):
        raise _denied(role_arn)
    return _assume_role(self)


responses.TokenResponse.assume_role = assume_role
