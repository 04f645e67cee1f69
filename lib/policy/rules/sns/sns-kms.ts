import { isSet } from "../../attributes";
import { defineRule } from "../../types";

/** ZNSNS1: topics are encrypted. */
export const rule = defineRule({
  id: "ZNSNS1",
  service: "sns",
  title: "SNS topics encrypted with a customer-managed KMS key",
  description: "Alarm notifications name resources and states; encryption at rest keeps them under the environment key.",
  severity: "medium",
  resourceTypes: ["aws_sns_topic"],
  scanners: { checkov: ["CKV_AWS_26"], trivy: ["AWS-0095", "AWS-0136"] },
  fix: "Set kmsMasterKeyId to the environment's KMS key (allow cloudwatch.amazonaws.com to use it for alarms).",
  check: ({ attributes: a }) =>
    !isSet(a.kms_master_key_id) || a.kms_master_key_id === "alias/aws/sns" ? "kms_master_key_id is unset or the AWS-managed key" : undefined,
});
