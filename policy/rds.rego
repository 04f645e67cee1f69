# RDS: encryption, exposure, backups, TLS, credentials (rule IDs of lib/policy/rules/rds).
package main

import rego.v1

deny contains msg if {
	some r in of_type("aws_db_instance")
	not is_true(r.values.storage_encrypted)
	not suppressed("ZNRDS1", r)
	msg := format_finding("ZNRDS1", r, "storage is not encrypted", "set storage_encrypted = true with a customer-managed kms_key_id")
}

deny contains msg if {
	some r in of_type("aws_db_instance")
	is_true(r.values.storage_encrypted)
	not attr_set(r, "kms_key_id")
	not suppressed("ZNRDS1", r)
	msg := format_finding("ZNRDS1", r, "kms_key_id is unset (AWS-managed key)", "set kms_key_id to a customer-managed key")
}

deny contains msg if {
	some r in of_type("aws_db_instance")
	is_true(r.values.publicly_accessible)
	not suppressed("ZNRDS2", r)
	msg := format_finding("ZNRDS2", r, "the instance is publicly accessible", "set publicly_accessible = false")
}

deny contains msg if {
	some r in of_type("aws_db_instance")
	days := r.values.backup_retention_period
	is_number(days)
	days < 7
	not suppressed("ZNRDS4", r)
	msg := format_finding("ZNRDS4", r, sprintf("backups are kept %v days", [days]), "set backup_retention_period to 7-35")
}

deny contains msg if {
	some r in of_type("aws_db_instance")
	regex.match(`mysql|mariadb`, object.get(r.values, "engine", ""))
	some pg in of_type("aws_db_parameter_group")
	points_to(r, "parameter_group_name", pg)
	not _requires_tls(pg)
	not suppressed("ZNRDS14", r)
	msg := format_finding("ZNRDS14", r, sprintf("%s does not set require_secure_transport=1", [pg.address]), "set require_secure_transport = 1 in the parameter group")
}

_requires_tls(pg) if {
	some p in as_list(pg.values.parameter)
	p.name == "require_secure_transport"
	p.value in {"1", "ON", "on"}
}

deny contains msg if {
	some r in of_type("aws_db_instance")
	attr_set(r, "password")
	not suppressed("ZNRDS15", r)
	msg := format_finding("ZNRDS15", r, "password is set (it is stored in Terraform state)", "set manage_master_user_password = true instead")
}
