# Unit tests of the conftest policy set: `opa test policy -v` or `conftest verify -p policy`
# (scripts/rego-tests.sh runs whichever is installed).
package main

import rego.v1

_meta(path) := {"metadata": {"path": path}}

test_unencrypted_rds_denied_with_path_and_fix if {
	doc := {"resource": {"aws_db_instance": {"db": {"storage_encrypted": false, "//": _meta("dev/database/instance")}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNRDS1 aws_db_instance.db (dev/database/instance): storage is not encrypted. Fix: ")
}

test_hardened_rds_passes if {
	doc := {"resource": {"aws_db_instance": {"db": {
		"engine": "mysql",
		"storage_encrypted": true,
		"kms_key_id": "${aws_kms_key.k.arn}",
		"publicly_accessible": false,
		"backup_retention_period": 30,
		"manage_master_user_password": true,
		"parameter_group_name": "${aws_db_parameter_group.p.name}",
	}}, "aws_db_parameter_group": {"p": {"parameter": [{"name": "require_secure_transport", "value": "1"}]}}}}
	msgs := deny with input as doc
	count(msgs) == 0
}

test_rds_without_tls_denied if {
	doc := {"resource": {"aws_db_instance": {"db": {
		"engine": "mysql",
		"storage_encrypted": true,
		"kms_key_id": "k",
		"parameter_group_name": "${aws_db_parameter_group.p.name}",
	}}, "aws_db_parameter_group": {"p": {"parameter": [{"name": "require_secure_transport", "value": "0"}]}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNRDS14 aws_db_instance.db")
}

_alb := {
	"internal": false,
	"drop_invalid_header_fields": true,
	"access_logs": {"bucket": "${aws_s3_bucket.logs.id}", "enabled": true},
}

test_public_alb_denied_without_suppression if {
	doc := {"resource": {"aws_lb": {"alb": _alb}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNALB4 aws_lb.alb")
}

test_public_alb_passes_with_suppression if {
	doc := {
		"//": {"policy_suppressions": {"aws_lb.alb": [{"rule": "ZNALB4", "reason": "public by design"}]}},
		"resource": {"aws_lb": {"alb": _alb}},
	}
	msgs := deny with input as doc
	count(msgs) == 0
}

test_http_listener_must_redirect if {
	forward := {"resource": {"aws_lb_listener": {"http": {"protocol": "HTTP", "default_action": [{"type": "forward"}]}}}}
	redirect := {"resource": {"aws_lb_listener": {"http": {"protocol": "HTTP", "default_action": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443"}}]}}}}
	denied := deny with input as forward
	some msg in denied
	startswith(msg, "ZNALB5 aws_lb_listener.http")
	allowed := deny with input as redirect
	count(allowed) == 0
}

test_weak_tls_policy_denied if {
	doc := {"resource": {"aws_lb_listener": {"https": {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-2016-08"}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNALB6 aws_lb_listener.https")
}

test_ssh_from_internet_denied_and_not_suppressible if {
	doc := {
		"//": {"policy_suppressions": {"aws_security_group_rule.ssh": [{"rule": "ZNVPC5", "reason": "x"}]}},
		"resource": {"aws_security_group_rule": {"ssh": {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}}},
	}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNVPC7 aws_security_group_rule.ssh")
	every m in msgs {
		not startswith(m, "ZNVPC5 ")
	}
}

test_inline_egress_to_internet_denied if {
	doc := {"resource": {"aws_security_group": {"sg": {"egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr_blocks": ["::/0"]}]}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNVPC6 aws_security_group.sg")
}

test_bucket_needs_public_access_block_encryption_versioning if {
	doc := {"resource": {"aws_s3_bucket": {"b": {"bucket": "b"}}}}
	msgs := deny with input as doc
	some a in msgs
	startswith(a, "ZNBKT1 aws_s3_bucket.b")
	some b in msgs
	startswith(b, "ZNBKT2 aws_s3_bucket.b")
	some c in msgs
	startswith(c, "ZNBKT4 aws_s3_bucket.b")
}

test_hardened_bucket_passes if {
	ref := "${aws_s3_bucket.b.id}"
	doc := {"resource": {
		"aws_s3_bucket": {"b": {"bucket": "b"}},
		"aws_s3_bucket_public_access_block": {"pab": {"bucket": ref, "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}},
		"aws_s3_bucket_server_side_encryption_configuration": {"sse": {"bucket": ref, "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}]}},
		"aws_s3_bucket_versioning": {"v": {"bucket": ref, "versioning_configuration": {"status": "Enabled"}}},
	}}
	msgs := deny with input as doc
	count(msgs) == 0
}

test_privileged_writable_container_denied if {
	defs := json.marshal([{"name": "app", "privileged": true}])
	doc := {"resource": {"aws_ecs_task_definition": {"t": {"container_definitions": defs}}}}
	msgs := deny with input as doc
	some a in msgs
	startswith(a, "ZNECS5 aws_ecs_task_definition.t")
	some b in msgs
	startswith(b, "ZNECS6 aws_ecs_task_definition.t")
}

test_plaintext_secret_denied if {
	defs := json.marshal([{"name": "app", "readonlyRootFilesystem": true, "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}])
	doc := {"resource": {"aws_ecs_task_definition": {"t": {"container_definitions": defs}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNECS8 aws_ecs_task_definition.t")
}

test_admin_policy_document_denied if {
	doc := {"data": {"aws_iam_policy_document": {"admin": {"statement": [{"actions": ["*"], "resources": ["*"]}]}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNIAM1 data.aws_iam_policy_document.admin")
}

test_public_resource_policy_denied_tls_deny_allowed if {
	doc := {"data": {"aws_iam_policy_document": {
		"public": {"statement": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"], "principals": [{"type": "*", "identifiers": ["*"]}]}]},
		"tls": {"statement": [{"effect": "Deny", "actions": ["s3:*"], "resources": ["*"], "principals": [{"type": "*", "identifiers": ["*"]}], "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]}]},
	}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNIAM6 data.aws_iam_policy_document.public")
	every m in msgs {
		not contains(m, "aws_iam_policy_document.tls")
	}
}

test_open_trust_policy_denied if {
	policy := json.marshal({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}]})
	doc := {"resource": {"aws_iam_role": {"r": {"assume_role_policy": policy}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNIAM4 aws_iam_role.r")
}

test_unencrypted_logs_secrets_topics_denied if {
	doc := {"resource": {
		"aws_cloudwatch_log_group": {"g": {"retention_in_days": 30}},
		"aws_secretsmanager_secret": {"s": {"name": "s"}},
		"aws_sns_topic": {"t": {"name": "t"}},
		"aws_kms_key": {"k": {"enable_key_rotation": false}},
	}}
	msgs := deny with input as doc
	some a in msgs
	startswith(a, "ZNLOG1 aws_cloudwatch_log_group.g")
	some b in msgs
	startswith(b, "ZNSEC1 aws_secretsmanager_secret.s")
	some c in msgs
	startswith(c, "ZNSNS1 aws_sns_topic.t")
	some d in msgs
	startswith(d, "ZNKMS1 aws_kms_key.k")
}

test_vpc_without_flow_log_denied if {
	doc := {"resource": {"aws_vpc": {"v": {"cidr_block": "10.0.0.0/16"}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNVPC1 aws_vpc.v")
}

# Plan JSON: planned values of a child module; unknown IDs linked through configuration references.
_plan := {
	"format_version": "1.2",
	"planned_values": {"root_module": {
		"resources": [
			{"address": "aws_vpc.v", "mode": "managed", "type": "aws_vpc", "name": "v", "values": {"cidr_block": "10.0.0.0/16"}},
			{"address": "aws_flow_log.f", "mode": "managed", "type": "aws_flow_log", "name": "f", "values": {"traffic_type": "ALL"}},
		],
		"child_modules": [{"address": "module.db", "resources": [{
			"address": "module.db.aws_db_instance.main",
			"mode": "managed",
			"type": "aws_db_instance",
			"name": "main",
			"values": {"storage_encrypted": false, "publicly_accessible": false},
		}]}],
	}},
	"resource_changes": [{"address": "aws_flow_log.f", "change": {"actions": ["create"], "after_unknown": {"vpc_id": true}}}],
	"configuration": {"root_module": {"resources": [{
		"address": "aws_flow_log.f",
		"expressions": {"vpc_id": {"references": ["aws_vpc.v.id", "aws_vpc.v"]}},
	}]}},
}

test_plan_json_child_module_and_references if {
	plan := _plan
	msgs := deny with input as plan
	some msg in msgs
	startswith(msg, "ZNRDS1 module.db.aws_db_instance.main: storage is not encrypted")
	every m in msgs {
		not startswith(m, "ZNVPC1 ")
	}
}
