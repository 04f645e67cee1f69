# S3 buckets (rule IDs of lib/policy/rules/s3) and DynamoDB tables (lib/policy/rules/dynamodb).
package main

import rego.v1

_companion(b, type) := {c | some c in of_type(type); points_to(c, "bucket", b)}

_public_access_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# Each flag of aws_s3_bucket_public_access_block: AWS default false; without one, nothing is blocked.
deny contains msg if {
	some b in of_type("aws_s3_bucket")
	not _public_access_blocked(b)
	not suppressed("ZNBKT1", b)
	msg := format_finding("ZNBKT1", b, "public access is not fully blocked", "add aws_s3_bucket_public_access_block with all four flags true")
}

_public_access_blocked(b) if {
	blocks := _companion(b, "aws_s3_bucket_public_access_block")
	count(blocks) > 0
	every flag in _public_access_flags {
		some p in blocks
		is_true(object.get(p.values, flag, false))
	}
}

deny contains msg if {
	some b in of_type("aws_s3_bucket")
	not _encrypted(b)
	not suppressed("ZNBKT2", b)
	msg := format_finding("ZNBKT2", b, "no default encryption", "add aws_s3_bucket_server_side_encryption_configuration")
}

_encrypted(b) if {
	some c in _companion(b, "aws_s3_bucket_server_side_encryption_configuration")
	_has_algorithm(c.values)
}

_encrypted(b) if _has_algorithm(block(b.values.server_side_encryption_configuration))

_has_algorithm(config) if {
	some x in as_list(object.get(config, "rule", []))
	by_default := block(x.apply_server_side_encryption_by_default)
	not _empty(object.get(by_default, "sse_algorithm", ""))
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

_versioned(b) if {
	legacy := block(b.values.versioning)
	is_true(object.get(legacy, "enabled", false))
}

# point_in_time_recovery { enabled }: AWS default false.
deny contains msg if {
	some r in of_type("aws_dynamodb_table")
	not _pitr_enabled(r)
	not suppressed("ZNDDB1", r)
	msg := format_finding("ZNDDB1", r, "point-in-time recovery is off", "set point_in_time_recovery { enabled = true }")
}

_pitr_enabled(r) if {
	pitr := block(r.values.point_in_time_recovery)
	is_true(object.get(pitr, "enabled", false))
}
