# Log groups, secrets and topics encrypted with customer keys; log retention
# (rule IDs of lib/policy/rules/logs, secrets, sns).
package main

import rego.v1

deny contains msg if {
	some r in of_type("aws_cloudwatch_log_group")
	not attr_set(r, "kms_key_id")
	not suppressed("ZNLOG1", r)
	msg := format_finding("ZNLOG1", r, "the log group is not encrypted with a customer-managed key", "set kms_key_id")
}

deny contains msg if {
	some r in of_type("aws_cloudwatch_log_group")
	not _retention_set(r)
	not suppressed("ZNLOG2", r)
	msg := format_finding("ZNLOG2", r, "logs are kept forever", "set retention_in_days")
}

_retention_set(r) if {
	days := r.values.retention_in_days
	is_number(days)
	days > 0
}

deny contains msg if {
	some r in of_type("aws_secretsmanager_secret")
	not attr_set(r, "kms_key_id")
	not suppressed("ZNSEC1", r)
	msg := format_finding("ZNSEC1", r, "the secret uses the AWS-managed key", "set kms_key_id to a customer-managed key")
}

deny contains msg if {
	some r in of_type("aws_sns_topic")
	not attr_set(r, "kms_master_key_id")
	not suppressed("ZNSNS1", r)
	msg := format_finding("ZNSNS1", r, "the topic is not encrypted", "set kms_master_key_id to a customer-managed key")
}
