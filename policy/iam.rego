# IAM policy documents, attachments and key policies (rule IDs of lib/policy/rules/iam and kms).
package main

import rego.v1

# Statements written in a policy-document data source, or as literal JSON (plan values).
_statements(r) := [_from_block(s) | some s in as_list(r.values.statement)] if {
	r.mode == "data"
	r.type == "aws_iam_policy_document"
}

_statements(r) := [_from_json(s) | some s in as_list(doc.Statement)] if {
	r.mode == "managed"
	v := r.values[_policy_attribute[r.type]]
	is_string(v)
	startswith(trim_space(v), "{")
	doc := json.unmarshal(v)
}

_policy_attribute := {
	"aws_iam_policy": "policy",
	"aws_iam_role_policy": "policy",
	"aws_iam_user_policy": "policy",
	"aws_iam_group_policy": "policy",
	"aws_iam_role": "assume_role_policy",
	"aws_kms_key": "policy",
	"aws_s3_bucket_policy": "policy",
	"aws_sns_topic_policy": "policy",
}

_from_block(s) := {
	"effect": object.get(s, "effect", "Allow"),
	"actions": as_list(object.get(s, "actions", [])),
	"principals": [{"type": p.type, "identifiers": as_list(p.identifiers)} | some p in as_list(object.get(s, "principals", []))],
	"conditions": count(as_list(object.get(s, "condition", []))),
}

_from_json(s) := {
	"effect": object.get(s, "Effect", "Allow"),
	"actions": as_list(object.get(s, "Action", [])),
	"principals": _json_principals(object.get(s, "Principal", {})),
	"conditions": count(object.get(s, "Condition", {})),
}

_json_principals(p) := [{"type": "*", "identifiers": ["*"]}] if p == "*"

_json_principals(p) := [{"type": t, "identifiers": as_list(ids)} | some t, ids in p] if is_object(p)

_public(s) if {
	some p in s.principals
	p.type in {"*", "AWS"}
	"*" in p.identifiers
}

_trust(s) if {
	count(s.actions) > 0
	every a in s.actions {
		startswith(a, "sts:AssumeRole")
	}
}

_documents contains r if {
	some r in resources
	count(_statements(r)) > 0
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.effect == "Allow"
	some a in s.actions
	a in {"*", "*:*"}
	not suppressed("ZNIAM1", r)
	msg := format_finding("ZNIAM1", r, "a statement allows every action", "list the actions the principal needs")
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.effect == "Allow"
	_trust(s)
	_public(s)
	not suppressed("ZNIAM4", r)
	msg := format_finding("ZNIAM4", r, "any principal may assume the role", "trust specific service principals or account/role ARNs")
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.effect == "Allow"
	not _trust(s)
	_public(s)
	s.conditions == 0
	not suppressed("ZNIAM6", r)
	msg := format_finding("ZNIAM6", r, "a statement allows principal * without a condition", "name the principals or add aws:SourceArn/aws:SourceAccount conditions")
}

deny contains msg if {
	some t in ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"]
	some r in of_type(t)
	regex.match(`^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$`, r.values.policy_arn)
	not suppressed("ZNIAM5", r)
	msg := format_finding("ZNIAM5", r, sprintf("attaches %s", [r.values.policy_arn]), "attach a policy with the specific actions needed")
}

deny contains msg if {
	some r in of_type("aws_kms_key")
	object.get(r.values, "customer_master_key_spec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	not is_true(r.values.enable_key_rotation)
	not suppressed("ZNKMS1", r)
	msg := format_finding("ZNKMS1", r, "automatic key rotation is off", "set enable_key_rotation = true")
}
