# Unit tests of the conftest policy set. The shared fixture corpus (policy-corpus/corpus.json, also
# checked against the TypeScript pack by __tests__/policy-corpus.test.ts) is loaded as data:
#   opa test policy/ policy-corpus/ -v
#   conftest verify --policy policy --data policy-corpus
# scripts/rego-tests.sh runs both when the tools are installed.
package main

import rego.v1

# ---------------------------------------------------------------- the shared corpus

# Rule IDs `deny` reports for a corpus case's document.
_corpus_found(c) := {split(m, " ")[0] | some m in msgs} if {
	msgs := deny with input as c.document
}

# What a case expects that the pack contradicts: an ID of `deny` not reported, an ID of `no_deny` reported.
_corpus_problems(c) := union({missing, unexpected}) if {
	found := _corpus_found(c)
	missing := {sprintf("%s: %s not denied", [c.name, id]) | some id in c.deny; not id in found}
	unexpected := {sprintf("%s: %s denied", [c.name, id]) | some id in c.no_deny; id in found}
}

test_corpus_is_loaded if {
	count(data.zn_corpus.cases) >= 40
}

# Cases the Rego pack answers for: all but those marked for the TypeScript pack only (rules without a Rego twin).
_rego_case(c) if {
	not c.packs
}

_rego_case(c) if {
	"rego" in c.packs
}

test_corpus_cases_agree_with_the_pack if {
	problems := {p | some c in data.zn_corpus.cases; _rego_case(c); some p in _corpus_problems(c)}
	print("corpus disagreements:", problems)
	count(problems) == 0
}

# ---------------------------------------------------------------- messages, metadata, suppressions

test_message_names_rule_address_construct_path_and_fix if {
	doc := {"resource": {"aws_db_instance": {"db": {"storage_encrypted": false, "//": {"metadata": {"path": "dev/database/instance"}}}}}}
	msgs := deny with input as doc
	some msg in msgs
	startswith(msg, "ZNRDS1 aws_db_instance.db (dev/database/instance): storage is not encrypted. Fix: ")
}

test_resource_without_metadata_is_checked_without_a_path if {
	msgs := deny with input as {"resource": {"aws_db_instance": {"db": {"storage_encrypted": false}}}}
	some msg in msgs
	startswith(msg, "ZNRDS1 aws_db_instance.db: storage is not encrypted. Fix: ")
}

test_omitted_attribute_is_judged_like_its_aws_default if {
	omitted := deny with input as {"resource": {"aws_kms_key": {"k": {"description": "k"}}}}
	explicit := deny with input as {"resource": {"aws_kms_key": {"k": {"description": "k", "enable_key_rotation": false}}}}
	omitted == explicit
	count(omitted) == 1
}

test_unsuppressed_finding_is_not_hidden_by_another_rules_suppression if {
	suppressions := {"aws_security_group_rule.ssh": [{"rule": "ZNVPC5", "reason": "x"}]}
	rule := {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}
	msgs := deny with input as {"//": {"policy_suppressions": suppressions}, "resource": {"aws_security_group_rule": {"ssh": rule}}}
	some msg in msgs
	startswith(msg, "ZNVPC7 aws_security_group_rule.ssh")
	every m in msgs {
		not startswith(m, "ZNVPC5 ")
	}
}

# ---------------------------------------------------------------- plan JSON

_plan_db := {
	"address": "module.db.aws_db_instance.main",
	"mode": "managed",
	"type": "aws_db_instance",
	"name": "main",
	"values": {"storage_encrypted": false, "publicly_accessible": false},
}

_plan_vpc := {"address": "aws_vpc.v", "mode": "managed", "type": "aws_vpc", "name": "v", "values": {"cidr_block": "10.0.0.0/16"}}

_plan_flow_log := {"address": "aws_flow_log.f", "mode": "managed", "type": "aws_flow_log", "name": "f", "values": {"traffic_type": "ALL"}}

_plan_lb := {"address": "aws_lb.alb", "mode": "managed", "type": "aws_lb", "name": "alb", "values": {"internal": false, "drop_invalid_header_fields": true, "access_logs": [{"bucket": "logs", "enabled": true}]}}

# Planned values of a child module; the flow log's unknown vpc_id linked through a configuration reference.
_plan := {
	"format_version": "1.2",
	"planned_values": {"root_module": {"resources": [_plan_vpc, _plan_flow_log, _plan_lb], "child_modules": [{"address": "module.db", "resources": [_plan_db]}]}},
	"resource_changes": [{"address": "aws_flow_log.f", "change": {"actions": ["create"], "after_unknown": {"vpc_id": true}}}],
	"configuration": {"root_module": {"resources": [{"address": "aws_flow_log.f", "expressions": {"vpc_id": {"references": ["aws_vpc.v.id", "aws_vpc.v"]}}}]}},
}

test_plan_json_child_module_and_references if {
	msgs := deny with input as _plan
	some msg in msgs
	startswith(msg, "ZNRDS1 module.db.aws_db_instance.main: storage is not encrypted")
	every m in msgs {
		not startswith(m, "ZNVPC1 ")
	}
}

test_plan_json_takes_suppressions_from_the_synthesized_config_as_data if {
	without := {split(m, " ")[0] | some m in deny} with input as _plan
	"ZNALB4" in without
	suppressions := {"aws_lb.alb": [{"rule": "ZNALB4", "reason": "public by design"}]}
	with_config := {split(m, " ")[0] | some m in deny} with input as _plan with data["//"] as {"policy_suppressions": suppressions}
	not "ZNALB4" in with_config
	"ZNRDS1" in with_config
}
