import { isSet } from "../../attributes";
import { defineRule } from "../../types";

/** ZNLOG1: log groups are encrypted with a customer-managed key. */
export const rule = defineRule({
  id: "ZNLOG1",
  service: "logs",
  title: "CloudWatch log groups encrypted with a customer-managed KMS key",
  description: "Container and flow logs can contain request data; a customer key lets you control and audit who reads them.",
  severity: "medium",
  resourceTypes: ["aws_cloudwatch_log_group"],
  scanners: { checkov: ["CKV_AWS_158"], trivy: ["AWS-0017"] },
  fix: "Set kmsKeyId to the environment's KMS key (its key policy must allow logs.<region>.amazonaws.com).",
  check: ({ attributes: a }) => (isSet(a.kms_key_id) ? undefined : "kms_key_id is unset"),
});
