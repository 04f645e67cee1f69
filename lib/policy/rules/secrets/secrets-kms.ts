import { isSet } from "../../attributes";
import { defineRule } from "../../types";

/** ZNSEC1: secrets use a customer-managed key. */
export const rule = defineRule({
  id: "ZNSEC1",
  service: "secrets",
  title: "Secrets Manager secrets encrypted with a customer-managed KMS key",
  description: "With the AWS-managed key, anyone allowed secretsmanager:GetSecretValue can decrypt; a customer key adds a second, auditable gate.",
  severity: "medium",
  resourceTypes: ["aws_secretsmanager_secret"],
  scanners: { checkov: ["CKV_AWS_149"], trivy: ["AWS-0098"] },
  fix: "Set kmsKeyId to the environment's KMS key ARN.",
  check: ({ attributes: a }) =>
    !isSet(a.kms_key_id) || a.kms_key_id === "alias/aws/secretsmanager" ? "kms_key_id is unset (AWS-managed key)" : undefined,
});
