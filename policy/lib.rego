# Shared helpers of the conftest policy set: one view of resources for both inputs
# (cdktf's synthesized cdk.tf.json and `terraform show -json` plan output), suppressions, messages.
# The TypeScript rule pack (lib/policy) is the reference; these rules implement its most important
# checks with the same rule IDs.
#
# Two rules every check here follows (OPA: an undefined reference makes its expression undefined,
# and `not f(x.missing)` is then undefined too, not true):
# - never pass a reference that may be undefined to a function under `not`; read attributes with
#   `attr(r, key, aws_default)`, `object.get` or inside a positive helper, so an absent attribute
#   has a value;
# - that value is the one AWS applies when the attribute is left out, so leaving out a security
#   attribute is judged like setting it to its insecure default.
package main

import rego.v1

# ---------------------------------------------------------------- resources

# Resources of a synthesized configuration: {"resource": {type: {name: body}}, "data": {...}}.
_config_resources contains r if {
	some type, name
	body := input.resource[type][name]
	is_object(body)
	r := _resource(type, "managed", name, sprintf("%s.%s", [type, name]), body)
}

_config_resources contains r if {
	some type, name
	body := input.data[type][name]
	is_object(body)
	r := _resource(type, "data", name, sprintf("data.%s.%s", [type, name]), body)
}

_resource(type, mode, name, address, body) := {
	"type": type,
	"mode": mode,
	"name": name,
	"address": address,
	"values": object.remove(body, ["//"]),
	"path": _construct_path(body),
	"suppressions": as_list(object.get(body, ["//", "policy_suppressions"], [])),
}

# cdktf's construct path ("//".metadata.path); "" for a resource written without that metadata.
_construct_path(body) := p if {
	p := body["//"].metadata.path
	is_string(p)
} else := ""

# Modules of a plan's planned values (root and two levels of child modules).
_plan_modules contains m if {
	m := input.planned_values.root_module
}

_plan_modules contains m if {
	some m in input.planned_values.root_module.child_modules
}

_plan_modules contains m if {
	some c in input.planned_values.root_module.child_modules
	some m in c.child_modules
}

# Objects a plan deletes or forgets (["forget"]: a removed block with lifecycle { destroy = false }):
# they leave the configuration. Terraform 1.11 still lists a forgotten one in planned_values, without
# values, so it is left out here. A deposed object's change (create_before_destroy) is not the address's.
_plan_gone contains c.address if {
	some c in input.resource_changes
	object.get(c, "deposed", "") == ""
	c.change.actions in [["delete"], ["forget"]]
}

_plan_resources contains r if {
	some m in _plan_modules
	some res in m.resources
	not res.address in _plan_gone
	r := {
		"type": res.type,
		"mode": res.mode,
		"name": res.name,
		"address": res.address,
		"values": object.get(res, "values", {}),
		"path": "",
		"suppressions": [],
	}
}

# Every resource and data source of the input.
resources := _config_resources | _plan_resources

# Managed resources of a type.
of_type(t) := {r | some r in resources; r.type == t; r.mode == "managed"}

# ---------------------------------------------------------------- values

# after_unknown of a planned resource (attributes only known after apply); a deposed object's
# change (create_before_destroy) is left out, so an address has one change at most.
_after_unknown(r) := u if {
	some c in input.resource_changes
	c.address == r.address
	object.get(c, "deposed", "") == ""
	u := c.change.after_unknown
}

# Attribute `key` of `r`; `aws_default` (the value AWS applies) when the configuration leaves it
# out or sets null; the placeholder "${(known after apply)}" for a plan value known only after apply.
# Defined for every resource and key, so `not f(attr(...))` is never undefined.
attr(r, key, _) := "${(known after apply)}" if _known_after_apply(r, key)

attr(r, key, aws_default) := aws_default if {
	not _known_after_apply(r, key)
	object.get(r.values, key, null) == null
}

attr(r, key, _) := v if {
	not _known_after_apply(r, key)
	v := object.get(r.values, key, null)
	v != null
}

# A positive helper: under `not`, OPA evaluates the call `_after_unknown(r)` (and any function
# argument) before the negation, so an undefined call would make the `not` undefined as well.
_known_after_apply(r, key) if _after_unknown(r)[key] == true

# A value only known at apply time: a ${...} reference or expression, or a plan placeholder.
unknown(v) if {
	is_string(v)
	contains(v, "${")
}

# An attribute is set: a non-empty value, or (plan) a value known only after apply.
attr_set(r, key) if {
	v := r.values[key]
	not _empty(v)
}

attr_set(r, key) if _known_after_apply(r, key)

_empty(v) if v == null

_empty(v) if v == ""

_empty(v) if v == []

is_true(v) if v == true

is_true(v) if v == "true"

is_false(v) if v == false

is_false(v) if v == "false"

# A number, or a numeric string (Terraform accepts both).
as_number(v) := v if is_number(v)

as_number(v) := to_number(v) if {
	is_string(v)
	regex.match(`^-?[0-9]+(\.[0-9]+)?$`, v)
}

# First object of a nested block: an object in cdk.tf.json, a list in plan JSON.
block(v) := b if {
	is_array(v)
	b := v[0]
}

block(v) := v if is_object(v)

as_list(v) := v if is_array(v)

as_list(v) := [v] if is_object(v)

as_list(v) := [v] if is_string(v)

as_list(v) := [] if {
	not is_array(v)
	not is_object(v)
	not is_string(v)
}

# The strings of list attribute `key` of `obj` (a single string counts as a list of one).
strings_of(obj, key) := [s | some s in as_list(object.get(obj, key, [])); is_string(s)]

# Address named by a ${type.name.attr} (or ${data.type.name.attr}) reference.
ref_address(v) := addr if {
	is_string(v)
	m := regex.find_all_string_submatch_n(`\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)`, v, 1)
	count(m) > 0
	addr := concat("", [m[0][1], m[0][2], ".", m[0][3]])
}

# Attribute `key` of `r` points at `target`: a reference, a literal equal to one of the target's
# identifying attributes, or (plan) a configuration expression referencing it.
points_to(r, key, target) if ref_address(r.values[key]) == target.address

points_to(r, key, target) if {
	v := r.values[key]
	is_string(v)
	v != ""
	some k in ["id", "arn", "name", "bucket"]
	target.values[k] == v
}

points_to(r, key, target) if {
	some cr in input.configuration.root_module.resources
	cr.address == r.address
	some ref in cr.expressions[key].references
	ref == target.address
}

# ---------------------------------------------------------------- suppressions and messages

# A suppression recorded by suppress(construct, id, reason) in the synthesized JSON (the root map,
# or the resource's own "//" entry), or in a cdk.tf.json loaded as data (conftest --data) when
# checking a plan.
suppressed(id, r) if {
	some s in input["//"].policy_suppressions[r.address]
	s.rule == id
}

suppressed(id, r) if {
	some s in r.suppressions
	s.rule == id
}

suppressed(id, r) if {
	some s in data["//"].policy_suppressions[r.address]
	s.rule == id
}

format_finding(id, r, problem, fix) := sprintf("%s %s%s: %s. Fix: %s", [id, r.address, _where(r), problem, fix])

_where(r) := sprintf(" (%s)", [r.path]) if r.path != ""

_where(r) := "" if r.path == ""
