# ECS services and task definitions (rule IDs of lib/policy/rules/ecs).
package main

import rego.v1

_containers(r) := defs if {
	is_string(r.values.container_definitions)
	defs := json.unmarshal(r.values.container_definitions)
	is_array(defs)
}

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
	r.values.execution_role_arn == r.values.task_role_arn
	not suppressed("ZNECS4", r)
	msg := format_finding("ZNECS4", r, "the task role is the execution role", "give the task its own task_role_arn")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	not c.readonlyRootFilesystem == true
	not suppressed("ZNECS5", r)
	msg := format_finding("ZNECS5", r, sprintf("container %s has a writable root filesystem", [c.name]), "set readonlyRootFilesystem = true and mount volumes where the app writes")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	c.privileged == true
	not suppressed("ZNECS6", r)
	msg := format_finding("ZNECS6", r, sprintf("container %s is privileged", [c.name]), "remove privileged")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	some e in as_list(object.get(c, "environment", []))
	is_string(e.value)
	e.value != ""
	regex.match(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)`, e.name)
	not regex.match(`(?i)_(ARN|NAME|ID|PATH|FILE|DIR|URL|URI|REGION|AUDIENCE|ENABLED)$`, e.name)
	not regex.match(`^(?i)(true|false|[0-9]+)$`, e.value)
	not suppressed("ZNECS8", r)
	msg := format_finding("ZNECS8", r, sprintf("container %s: %s looks like a secret in plain environment", [c.name, e.name]), "inject it through secrets (valueFrom)")
}

deny contains msg if {
	some r in of_type("aws_ecs_task_definition")
	some c in _containers(r)
	some e in as_list(object.get(c, "environment", []))
	is_string(e.value)
	regex.match(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:@/]+:[^\s@/]+@`, e.value)
	not suppressed("ZNECS8", r)
	msg := format_finding("ZNECS8", r, sprintf("container %s: %s carries credentials in a URL", [c.name, e.name]), "inject credentials through secrets (valueFrom)")
}
