# S3 buckets (rule IDs of lib/policy/rules/s3) and DynamoDB tables (lib/policy/rules/dynamodb).
package main

import rego.v1

_companion(b, type) := {c | some c in of_type(type); points_to(c, "bucket", b)}

deny contains msg if {
	some b in of_type("aws_s3_bucket")
	not _public_access_blocked(b)
	not suppressed("ZNBKT1", b)
	msg := format_finding("ZNBKT1", b, "public access is not fully blocked", "add aws_s3_bucket_public_access_block with all four flags true")
}

_public_access_blocked(b) if {
	some p in _companion(b, "aws_s3_bucket_public_access_block")
	is_true(p.values.block_public_acls)
	is_true(p.values.block_public_policy)
	is_true(p.values.ignore_public_acls)
	is_true(p.values.restrict_public_buckets)
}

deny contains msg if {
	some b in of_type("aws_s3_bucket")
	count(_companion(b, "aws_s3_bucket_server_side_encryption_configuration")) == 0
	not suppressed("ZNBKT2", b)
	msg := format_finding("ZNBKT2", b, "no default encryption", "add aws_s3_bucket_server_side_encryption_configuration")
}

deny contains msg if {
	some b in of_type("aws_s3_bucket")
	not _versioned(b)
	not suppressed("ZNBKT4", b)
	msg := format_finding("ZNBKT4", b, "versioning is not enabled", "add aws_s3_bucket_versioning with status Enabled")
}

_versioned(b) if {
	some v in _companion(b, "aws_s3_bucket_versioning")
	config := block(v.values.versioning_configuration)
	config.status == "Enabled"
}

deny contains msg if {
	some r in of_type("aws_dynamodb_table")
	not _pitr_enabled(r)
	not suppressed("ZNDDB1", r)
	msg := format_finding("ZNDDB1", r, "point-in-time recovery is off", "set point_in_time_recovery { enabled = true }")
}

_pitr_enabled(r) if {
	pitr := block(r.values.point_in_time_recovery)
	is_true(pitr.enabled)
}
