# ECS services and task definitions (rule IDs of lib/policy/rules/ecs).
package main

import rego.v1

# Container definitions of a task definition (a JSON string in both inputs).
_containers(r) := [c | some c in defs; is_object(c)] if {
	is_string(r.values.container_definitions)
	defs := json.unmarshal(r.values.container_definitions)
	is_array(defs)
}

_name(c) := sprintf("%v", [object.get(c, "name", "(unnamed)")])

# assign_public_ip: AWS default false.
deny contains msg if {
	some r in of_type("aws_ecs_service")
	network := block(r.values.network_configuration)
	is_true(network.assign_public_ip)
	not suppressed("ZNECS2", r)
	msg := format_finding("ZNECS2", r, "tasks get a public IP", "set assign_public_ip = false and use private subnets")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	is_string(r.values.execution_role_arn)
	r.values.execution_role_arn != ""
	r.values.execution_role_arn == r.values.task_role_arn
	not suppressed("ZNECS4", r)
	msg := format_finding("ZNECS4", r, "the task role is the execution role", "give the task its own task_role_arn")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	object.get(c, "readonlyRootFilesystem", false) != true
	not suppressed("ZNECS5", r)
	msg := format_finding("ZNECS5", r, sprintf("container %s has a writable root filesystem", [_name(c)]), "set readonlyRootFilesystem = true and mount volumes where the app writes")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	object.get(c, "privileged", false) == true
	not suppressed("ZNECS6", r)
	msg := format_finding("ZNECS6", r, sprintf("container %s is privileged", [_name(c)]), "remove privileged")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	some e in as_list(object.get(c, "environment", []))
	is_string(e.value)
	e.value != ""
	name := sprintf("%v", [object.get(e, "name", "")])
	regex.match(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)`, name)
	not regex.match(`(?i)_(ARN|NAME|ID|PATH|FILE|DIR|URL|URI|REGION|AUDIENCE|ENABLED|TYPE)$`, name)
	not regex.match(`^(?i)(true|false|[0-9]+)$`, e.value)
	not suppressed("ZNECS8", r)
	msg := format_finding("ZNECS8", r, sprintf("container %s: %s looks like a secret in plain environment", [_name(c), name]), "inject it through secrets (valueFrom)")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	some e in as_list(object.get(c, "environment", []))
	is_string(e.value)
	regex.match(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:@/]+:[^\s@/]+@`, e.value)
	not suppressed("ZNECS8", r)
	msg := format_finding("ZNECS8", r, sprintf("container %s: %v carries credentials in a URL", [_name(c), object.get(e, "name", "")]), "inject credentials through secrets (valueFrom)")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	some e in as_list(object.get(c, "environment", []))
	is_string(e.value)
	regex.match(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`, e.value)
	not suppressed("ZNECS8", r)
	msg := format_finding("ZNECS8", r, sprintf("container %s: %v contains an AWS access key", [_name(c), object.get(e, "name", "")]), "inject credentials through secrets (valueFrom)")
}
