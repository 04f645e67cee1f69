#!/usr/bin/env python3
"""moto server for the e2e suite, with five fidelity fixes over moto 5.2 and one test hook.

1. Application Auto Scaling tagging. The AWS provider (hashicorp/aws 5.x) calls ListTagsForResource after RegisterScalableTarget (and
TagResource/UntagResource when tags change). moto 5.2 does not implement those actions, so the
provider retries until it times out. This launcher adds them to moto's Application Auto Scaling
responses, backed by an in-memory tag store keyed by scalable-target ARN, then runs moto's
standalone server on the given host and port.

2. Route53 hosted zone IDs. Real zone IDs start with "Z" (e.g. Z0123456789ABCDEFGHIJ) and the
environment schema checks that (^Z[A-Z0-9]{4,31}$); moto 5.2 draws 22 random characters from
A-Z0-9, so most of its IDs would be rejected by the config loader. Zone IDs minted here are "Z"
plus 21 random characters.

3. RDS DbiResourceId. moto 5.2 gives every DB instance the same DbiResourceId
(db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U). The provider reads an instance by that ID, so with two instances
in one account (two workspaces on a shared platform network) it finds two and fails with
"couldn't find resource". Each instance gets its own ID here, as in AWS.

4. RDS default CA. New DB instances in AWS get the CA rds-ca-rsa2048-g1 by default; moto says
"rds-ca-default". The provider does not send ca_cert_identifier on CreateDBInstance: when the
created instance reports another CA it calls ModifyDBInstance and waits for the instance a second
time (about 80 s more per stack against moto, none against AWS). The AWS default is used here.

5. Step Functions ValidateStateMachineDefinition and ListStateMachineVersions. The provider (hashicorp/aws 5.x) validates an
aws_sfn_state_machine definition with this API while planning; moto 5.2.1 does not implement it
(NotImplementedError), so every plan with a state machine fails. It is answered here with the
structural checks AWS also makes (valid JSON object, StartAt names a state in States, every Next
names a state); AWS checks much more (field types, resource ARNs), which the unit tests cover for
this project's one definition. ListStateMachineVersions, which the provider calls when it reads a
state machine, is missing too; it answers with no versions, which is what AWS answers for a machine
that was never published (this project never sets publish).

6. Test hook POST /moto-api/e2e/environment. moto reads MOTO_ECS_SERVICE_RUNNING (and
MOTO_ECS_SERVICE_FAILED_TASKS) from the server process's environment in ecs/models.py Service.__init__,
i.e. whenever a service is created: runningCount, pendingCount and the deployment's rolloutState
(COMPLETED when running >= desired, else IN_PROGRESS) are fixed then. The hook sets those two
variables (nothing else) in this process, so a service created afterwards (the e2e verify step
creates dev's ECS service again) runs the given number of tasks, without restarting moto and losing state.

Usage: python3 e2e/moto_server.py --host 127.0.0.1 --port 4566
Environment the harness sets: MOTO_IAM_LOAD_MANAGED_POLICIES=true (AWS managed policies such as
AmazonECSTaskExecutionRolePolicy exist), MOTO_ACM_VALIDATION_WAIT=0 (requested certificates are
issued at once).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from typing import Any

import random
import string

from moto.applicationautoscaling import responses as aas_responses
from moto.stepfunctions import responses as sfn_responses
from moto.rds import models as rds_models
from moto.route53 import models as route53_models
from moto.core.exceptions import JsonRESTError

# (account, region) -> target ARN -> {key: value}
_TAGS: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
_LOCK = threading.Lock()


def _store(resp: Any) -> dict[str, dict[str, str]]:
    return _TAGS.setdefault((resp.current_account, resp.region), {})


def _known_arns(resp: Any) -> set[str]:
    backend = resp.applicationautoscaling_backend
    return {t.arn for dims in backend.targets.values() for t in dims.values()}


def _require_target(resp: Any, arn: str) -> None:
    if arn not in _known_arns(resp):
        raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for ARN {arn}")


def list_tags_for_resource(self: Any) -> str:
    arn = self._get_param("ResourceARN")
    _require_target(self, arn)
    with _LOCK:
        return json.dumps({"Tags": dict(_store(self).get(arn, {}))})


def tag_resource(self: Any) -> str:
    arn = self._get_param("ResourceARN")
    _require_target(self, arn)
    with _LOCK:
        _store(self).setdefault(arn, {}).update(self._get_param("Tags") or {})
    return json.dumps({})


def untag_resource(self: Any) -> str:
    arn = self._get_param("ResourceARN")
    _require_target(self, arn)
    with _LOCK:
        tags = _store(self).setdefault(arn, {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
    return json.dumps({})


_original_register = aas_responses.ApplicationAutoScalingResponse.register_scalable_target
_original_deregister = aas_responses.ApplicationAutoScalingResponse.deregister_scalable_target


def register_scalable_target(self: Any) -> str:
    """RegisterScalableTarget also accepts Tags (on creation)."""
    body = _original_register(self)
    tags = self._get_param("Tags")
    if tags:
        arn = json.loads(body)["ScalableTargetARN"]
        with _LOCK:
            _store(self).setdefault(arn, {}).update(tags)
    return body


def deregister_scalable_target(self: Any) -> str:
    before = _known_arns(self)
    body = _original_deregister(self)
    gone = before - _known_arns(self)
    with _LOCK:
        for arn in gone:
            _store(self).pop(arn, None)
    return body


def _route53_zone_id(*_args: Any, **_kwargs: Any) -> str:
    return "Z" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(21))


_original_db_instance_init = rds_models.DBInstance.__init__


def _db_instance_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _original_db_instance_init(self, *args, **kwargs)
    if self.ca_certificate_identifier in (None, "", "rds-ca-default"):
        self.ca_certificate_identifier = "rds-ca-rsa2048-g1"
    self.dbi_resource_id = "db-" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(26))


def validate_state_machine_definition(self: Any) -> str:
    """ValidateStateMachineDefinition: structural checks only (see 5. above)."""
    diagnostics: list[dict[str, str]] = []

    def error(code: str, message: str) -> None:
        diagnostics.append({"severity": "ERROR", "code": code, "message": message, "location": "/"})

    try:
        definition = json.loads(self._get_param("definition") or "")
    except ValueError as e:
        definition = None
        error("INVALID_JSON_DESCRIPTION", f"Definition is not valid JSON: {e}")
    if definition is not None:
        states = definition.get("States") if isinstance(definition, dict) else None
        if not isinstance(states, dict) or not states:
            error("SCHEMA_VALIDATION_FAILED", "The definition must be an object with a non-empty States object")
        else:
            if definition.get("StartAt") not in states:
                error("MISSING_TRANSITION_TARGET", f"StartAt {definition.get('StartAt')!r} is not a state")
            for name, state in states.items():
                target = state.get("Next") if isinstance(state, dict) else None
                if target is not None and target not in states:
                    error("MISSING_TRANSITION_TARGET", f"State {name!r}: Next {target!r} is not a state")
    return json.dumps({"result": "FAIL" if diagnostics else "OK", "diagnostics": diagnostics, "truncated": False})


def list_state_machine_versions(self: Any) -> str:
    """ListStateMachineVersions of an existing machine: none (never published)."""
    arn = self._get_param("stateMachineArn")
    self.stepfunction_backend.describe_state_machine(arn)  # raises StateMachineDoesNotExist like AWS
    return json.dumps({"stateMachineVersions": []})


# The only variables the e2e hook may set (see 6. above).
_HOOK_VARIABLES = ("MOTO_ECS_SERVICE_RUNNING", "MOTO_ECS_SERVICE_FAILED_TASKS")


def e2e_environment(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """POST {"MOTO_ECS_SERVICE_RUNNING": "1"}: sets the variable for services created from now on."""
    if request.method == "POST":
        body = json.loads(request.get_data() or b"{}")
        unknown = sorted(set(body) - set(_HOOK_VARIABLES))
        if unknown:
            return 400, {"Content-Type": "application/json"}, json.dumps({"error": f"only {_HOOK_VARIABLES} may be set, got {unknown}"})
        for key, value in body.items():
            os.environ[key] = str(int(value))
    current = {k: os.environ.get(k) for k in _HOOK_VARIABLES}
    return 200, {"Content-Type": "application/json"}, json.dumps(current)


def patch() -> None:
    from moto.moto_api._internal import urls as moto_api_urls

    moto_api_urls.url_paths["{0}/moto-api/e2e/environment"] = e2e_environment
    sfn = sfn_responses.StepFunctionResponse
    sfn.validate_state_machine_definition = validate_state_machine_definition  # type: ignore[attr-defined]
    sfn.list_state_machine_versions = list_state_machine_versions  # type: ignore[attr-defined]
    rds_models.DBInstance.__init__ = _db_instance_init  # type: ignore[method-assign]
    # Keep moto's @moto_id wrapper (custom IDs, no duplicates); only the random part changes.
    route53_models.create_route53_zone_id = route53_models.moto_id(_route53_zone_id)  # type: ignore[attr-defined]
    cls = aas_responses.ApplicationAutoScalingResponse
    cls.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
    cls.tag_resource = tag_resource  # type: ignore[attr-defined]
    cls.untag_resource = untag_resource  # type: ignore[attr-defined]
    cls.register_scalable_target = register_scalable_target  # type: ignore[method-assign]
    cls.deregister_scalable_target = deregister_scalable_target  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    patch()
    from moto.server import main as moto_main

    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main(sys.argv[1:])
