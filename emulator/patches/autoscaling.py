"""Application Auto Scaling: DescribeScalingPolicies filters by PolicyNames, as AWS does (moto 5.2.1 ignores them)."""
import json
import sys

from moto.applicationautoscaling import responses

# AWS pages policies 10 at a time unless MaxResults says otherwise.
DEFAULT_PAGE = 10


def describe_scaling_policies(self):
    _, policies = self.applicationautoscaling_backend.describe_scaling_policies(
        service_namespace=self._get_param("ServiceNamespace"),
        resource_id=self._get_param("ResourceId"),
        scalable_dimension=self._get_param("ScalableDimension"),
        max_results=sys.maxsize,
        next_token=None,
    )
    names = self._get_param("PolicyNames")
    if names:
        policies = [p for p in policies if p.policy_name in names]
    start = int(self._get_param("NextToken") or 0)
    end = start + (self._get_int_param("MaxResults") or DEFAULT_PAGE)
    return json.dumps(
        {
            "ScalingPolicies": [responses._build_policy(p) for p in policies[start:end]],
            "NextToken": str(end) if end < len(policies) else None,
        }
    )


responses.ApplicationAutoScalingResponse.describe_scaling_policies = describe_scaling_policies
