# Log groups, secrets and topics encrypted with customer keys; log retention
# (rule IDs of lib/policy/rules/logs, secrets, sns).
package main

import rego.v1

# kms_key_id: AWS default none (the service's own encryption).
deny contains msg if {
	some r in of_type("aws_cloudwatch_log_group")
	not attr_set(r, "kms_key_id")
	not suppressed("ZNLOG1", r)
	msg := format_finding("ZNLOG1", r, "the log group is not encrypted with a customer-managed key", "set kms_key_id")
}

# retention_in_days: AWS default 0 (never expire).
deny contains msg if {
	some r in of_type("aws_cloudwatch_log_group")
	days := attr(r, "retention_in_days", 0)
	not unknown(days)
	not _positive(days)
	not suppressed("ZNLOG2", r)
	msg := format_finding("ZNLOG2", r, "logs are kept forever", "set retention_in_days")
}

_positive(v) if as_number(v) > 0

# A customer-managed key: the attribute is set, and not to the service's AWS-managed alias.
_customer_key(r, key, aws_managed) if {
	attr_set(r, key)
	attr(r, key, "") != aws_managed
}

# kms_key_id: AWS default alias/aws/secretsmanager.
deny contains msg if {
	some r in of_type("aws_secretsmanager_secret")
	not _customer_key(r, "kms_key_id", "alias/aws/secretsmanager")
	not suppressed("ZNSEC1", r)
	msg := format_finding("ZNSEC1", r, "the secret uses the AWS-managed key", "set kms_key_id to a customer-managed key")
}

# kms_master_key_id: AWS default none (unencrypted topic).
deny contains msg if {
	some r in of_type("aws_sns_topic")
	not _customer_key(r, "kms_master_key_id", "alias/aws/sns")
	not suppressed("ZNSNS1", r)
	msg := format_finding("ZNSNS1", r, "the topic is not encrypted", "set kms_master_key_id to a customer-managed key")
}
