# IAM policy documents, attachments and key policies (rule IDs of lib/policy/rules/iam and kms).
package main

import rego.v1

# Statements written in a policy-document data source (its blocks, or in a plan its computed
# `json`), or as literal JSON in a resource's policy attribute. A policy attribute that references a
# data source is left to the data source's own check.
_statements(r) := [_from_block(s) | some s in _statement_blocks(r)] if {
	r.mode == "data"
	r.type == "aws_iam_policy_document"
	count(_statement_blocks(r)) > 0
}

_statements(r) := _json_statements(attr(r, "json", "")) if {
	r.mode == "data"
	r.type == "aws_iam_policy_document"
	count(_statement_blocks(r)) == 0
}

_statements(r) := _json_statements(r.values[_policy_attribute[r.type]]) if r.mode == "managed"

_statement_blocks(r) := [s | some s in as_list(object.get(r.values, "statement", [])); is_object(s)]

_json_statements(v) := [_from_json(s) | some s in as_list(doc.Statement); is_object(s)] if {
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
	"aws_sqs_queue_policy": "policy",
	"aws_ecr_repository_policy": "policy",
	"aws_secretsmanager_secret_policy": "policy",
}

# A statement in one shape. effect/Effect: AWS default "Allow"; anything but "Deny" counts as
# "Allow", as in the TypeScript rules.
_from_block(s) := {
	"allow": object.get(s, "effect", "Allow") != "Deny",
	"actions": strings_of(s, "actions"),
	"not_actions": strings_of(s, "not_actions"),
	"principals": [_principal(object.get(p, "type", ""), object.get(p, "identifiers", [])) | some p in as_list(object.get(s, "principals", [])); is_object(p)],
	"conditions": [_condition(object.get(c, "test", ""), object.get(c, "variable", ""), object.get(c, "values", [])) | some c in as_list(object.get(s, "condition", [])); is_object(c)],
}

_from_json(s) := {
	"allow": object.get(s, "Effect", "Allow") != "Deny",
	"actions": strings_of(s, "Action"),
	"not_actions": strings_of(s, "NotAction"),
	"principals": _json_principals(object.get(s, "Principal", {})),
	"conditions": [_condition(test, variable, values) | some test, vars in object.get(s, "Condition", {}); some variable, values in vars],
}

_principal(type, ids) := {"type": sprintf("%v", [type]), "identifiers": [i | some i in as_list(ids); is_string(i)]}

_condition(test, variable, values) := {"test": sprintf("%v", [test]), "variable": sprintf("%v", [variable]), "values": [v | some v in as_list(values); is_string(v)]}

_json_principals(p) := [{"type": "*", "identifiers": ["*"]}] if p == "*"

_json_principals(p) := [_principal(t, ids) | some t, ids in p] if is_object(p)

_json_principals(p) := [] if {
	p != "*"
	not is_object(p)
}

_public(s) if {
	some p in s.principals
	p.type in {"*", "AWS"}
	"*" in p.identifiers
}

_trust(s) if {
	count(s.actions) > 0
	every a in s.actions {
		regex.match(`(?i)^sts:(AssumeRole|AssumeRoleWithWebIdentity|AssumeRoleWithSAML|TagSession|SetSourceIdentity)$`, a)
	}
}

# A web identity trust is scoped when both :aud and :sub are conditioned, and not to "*".
_scoped(s, suffix) if {
	some c in s.conditions
	endswith(c.variable, suffix)
	not "*" in c.values
}

_documents contains r if {
	some r in resources
	count(_statements(r)) > 0
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.allow
	some a in s.actions
	a in {"*", "*:*"}
	not suppressed("ZNIAM1", r)
	msg := format_finding("ZNIAM1", r, "a statement allows every action", "list the actions the principal needs")
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.allow
	count(s.not_actions) > 0
	not suppressed("ZNIAM1", r)
	msg := format_finding("ZNIAM1", r, sprintf("a statement allows everything except %s (NotAction)", [concat(", ", s.not_actions)]), "list the actions the principal needs")
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.allow
	_trust(s)
	_public(s)
	not suppressed("ZNIAM4", r)
	msg := format_finding("ZNIAM4", r, "any principal may assume the role", "trust specific service principals or account/role ARNs")
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.allow
	_trust(s)
	not _public(s)
	some p in s.principals
	p.type == "Federated"
	some a in s.actions
	regex.match(`(?i)AssumeRoleWithWebIdentity`, a)
	not _web_identity_scoped(s)
	not suppressed("ZNIAM4", r)
	msg := format_finding("ZNIAM4", r, "a web identity is trusted without :aud and :sub conditions", "condition the trust on the token's :aud and :sub")
}

_web_identity_scoped(s) if {
	_scoped(s, ":aud")
	_scoped(s, ":sub")
}

deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.allow
	not _trust(s)
	_public(s)
	count(s.conditions) == 0
	not suppressed("ZNIAM6", r)
	msg := format_finding("ZNIAM6", r, "a statement allows principal * without a condition", "name the principals or add aws:SourceArn/aws:SourceAccount conditions")
}

# ZNIAM7: a trust statement for an AWS service principal carries aws:SourceAccount or aws:SourceArn
# with a positive operator (not ...Not..., not ...IfExists) and no "*" value (the confused deputy).
deny contains msg if {
	some r in _documents
	some s in _statements(r)
	s.allow
	_trust(s)
	some p in s.principals
	p.type == "Service"
	count(p.identifiers) > 0
	not _source_scoped(s)
	not suppressed("ZNIAM7", r)
	msg := format_finding("ZNIAM7", r, sprintf("%s may assume the role without an aws:SourceAccount or aws:SourceArn condition", [concat(", ", p.identifiers)]), "add StringEquals aws:SourceAccount (and ArnLike aws:SourceArn where the service documents it)")
}

_source_scoped(s) if {
	some c in s.conditions
	lower(c.variable) in {"aws:sourceaccount", "aws:sourcearn"}
	not regex.match(`(?i)Not|IfExists$`, c.test)
	count(c.values) > 0
	not "*" in c.values
}

deny contains msg if {
	some t in ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment", "aws_iam_role"]
	some r in of_type(t)
	some arn in array.concat(strings_of(r.values, "policy_arn"), strings_of(r.values, "managed_policy_arns"))
	regex.match(`^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$`, arn)
	not suppressed("ZNIAM5", r)
	msg := format_finding("ZNIAM5", r, sprintf("attaches %s", [arn]), "attach a policy with the specific actions needed")
}

# is_enabled: AWS default true.
deny contains msg if {
	some r in of_type("aws_kms_key")
	is_false(attr(r, "is_enabled", true))
	not suppressed("ZNKMS1", r)
	msg := format_finding("ZNKMS1", r, "the key is disabled", "set is_enabled = true")
}

# customer_master_key_spec: AWS default SYMMETRIC_DEFAULT; enable_key_rotation: AWS default false.
deny contains msg if {
	some r in of_type("aws_kms_key")
	not is_false(attr(r, "is_enabled", true))
	attr(r, "customer_master_key_spec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	not is_true(attr(r, "enable_key_rotation", false))
	not suppressed("ZNKMS1", r)
	msg := format_finding("ZNKMS1", r, "automatic key rotation is off", "set enable_key_rotation = true")
}
