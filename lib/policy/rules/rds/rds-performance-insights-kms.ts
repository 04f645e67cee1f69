import { isSet, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS10: Performance Insights data is encrypted with a customer-managed key. */
export const rule = defineRule({
  id: "ZNRDS10",
  service: "rds",
  title: "RDS Performance Insights encrypted with a customer-managed KMS key",
  description: "Performance Insights stores query text, which can contain data; it must use the same key as the database.",
  severity: "medium",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV_AWS_354"], trivy: ["AWS-0078"] },
  fix: "Set performanceInsightsKmsKeyId to the environment's KMS key whenever Performance Insights is on.",
  check: ({ attributes: a }) =>
    isTrue(a.performance_insights_enabled) && !isSet(a.performance_insights_kms_key_id) ? "performance_insights_kms_key_id is unset" : undefined,
});
