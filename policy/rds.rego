# RDS: encryption, exposure, backups, TLS, credentials (rule IDs of lib/policy/rules/rds).
package main

import rego.v1

# Instances and clusters (the types the TypeScript rules ZNRDS1, ZNRDS4 and ZNRDS15 check).
_databases contains r if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some r in of_type(t)
}

# storage_encrypted: AWS default false.
deny contains msg if {
	some r in _databases
	not is_true(attr(r, "storage_encrypted", false))
	not suppressed("ZNRDS1", r)
	msg := format_finding("ZNRDS1", r, "storage is not encrypted", "set storage_encrypted = true with a customer-managed kms_key_id")
}

deny contains msg if {
	some r in _databases
	is_true(attr(r, "storage_encrypted", false))
	not attr_set(r, "kms_key_id")
	not suppressed("ZNRDS1", r)
	msg := format_finding("ZNRDS1", r, "kms_key_id is unset (AWS-managed key)", "set kms_key_id to a customer-managed key")
}

# publicly_accessible: AWS default false.
deny contains msg if {
	some t in ["aws_db_instance", "aws_rds_cluster_instance"]
	some r in of_type(t)
	is_true(attr(r, "publicly_accessible", false))
	not suppressed("ZNRDS2", r)
	msg := format_finding("ZNRDS2", r, "the instance is publicly accessible", "set publicly_accessible = false")
}

# backup_retention_period: AWS default 1 day.
deny contains msg if {
	some r in _databases
	days := attr(r, "backup_retention_period", 1)
	not unknown(days)
	not _at_least(days, 7)
	not suppressed("ZNRDS4", r)
	msg := format_finding("ZNRDS4", r, sprintf("backups are kept %v days", [days]), "set backup_retention_period to 7-35")
}

_at_least(v, n) if as_number(v) >= n

# TLS: the engine's parameter, set in the instance's parameter group. Without parameter_group_name
# AWS attaches the engine's default group, which allows unencrypted connections.
_tls_parameter(engine) := "require_secure_transport" if regex.match(`mysql|mariadb`, engine)

_tls_parameter(engine) := "rds.force_ssl" if {
	not regex.match(`mysql|mariadb`, engine)
	regex.match(`postgres`, engine)
}

deny contains msg if {
	some r in of_type("aws_db_instance")
	_tls_parameter(attr(r, "engine", ""))
	group := attr(r, "parameter_group_name", "")
	_default_group(group)
	not suppressed("ZNRDS14", r)
	msg := format_finding("ZNRDS14", r, sprintf("uses the default parameter group (%v), which allows unencrypted connections", [group]), "attach a parameter group that requires TLS")
}

_default_group(group) if group == ""

_default_group(group) if {
	is_string(group)
	startswith(group, "default.")
}

deny contains msg if {
	some r in of_type("aws_db_instance")
	param := _tls_parameter(attr(r, "engine", ""))
	some pg in of_type("aws_db_parameter_group")
	points_to(r, "parameter_group_name", pg)
	value := _parameter_value(pg, param)
	not unknown(value)
	not sprintf("%v", [value]) in {"1", "ON", "on", "true"}
	not suppressed("ZNRDS14", r)
	msg := format_finding("ZNRDS14", r, sprintf("%s does not set %s=1", [pg.address, param]), sprintf("set %s = 1 in the parameter group", [param]))
}

# Value of parameter `name` in a parameter group; "" when the group leaves it at the engine default.
_parameter_value(pg, name) := v if {
	v := [object.get(p, "value", "") | some p in as_list(object.get(pg.values, "parameter", [])); p.name == name][0]
} else := ""

# Credentials: no password in state; the master password managed in Secrets Manager under a
# customer key (manage_master_user_password: AWS default false), unless restored or replicated.
deny contains msg if {
	some r in _databases
	attr_set(r, "password")
	not suppressed("ZNRDS15", r)
	msg := format_finding("ZNRDS15", r, "password is set (it is stored in Terraform state)", "set manage_master_user_password = true instead")
}

deny contains msg if {
	some r in _databases
	not attr_set(r, "password")
	not _restored(r)
	not is_true(attr(r, "manage_master_user_password", false))
	not suppressed("ZNRDS15", r)
	msg := format_finding("ZNRDS15", r, "manage_master_user_password is not true", "set manage_master_user_password = true")
}

deny contains msg if {
	some r in _databases
	not attr_set(r, "password")
	not _restored(r)
	is_true(attr(r, "manage_master_user_password", false))
	not attr_set(r, "master_user_secret_kms_key_id")
	not suppressed("ZNRDS15", r)
	msg := format_finding("ZNRDS15", r, "master_user_secret_kms_key_id is unset (AWS-managed key)", "set master_user_secret_kms_key_id to a customer-managed key")
}

_restored(r) if {
	some key in ["replicate_source_db", "snapshot_identifier"]
	attr_set(r, key)
}
