import { isUnknown, num, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNLOG2: log groups have a retention period. */
export const rule = defineRule({
  id: "ZNLOG2",
  service: "logs",
  title: "CloudWatch log groups set a retention period",
  description: "Without retention, logs are kept (and billed) forever and personal data is never deleted.",
  severity: "medium",
  resourceTypes: ["aws_cloudwatch_log_group"],
  scanners: { checkov: ["CKV_AWS_66"], kics: ["ef0b316a-211e-42f1-888e-64efe172b755"] },
  fix: "Set retentionInDays (config: observability.logRetentionDays, network.flowLogRetentionDays).",
  check: ({ attributes: a }) => {
    if (isUnknown(a.retention_in_days)) return;
    if ((num(a.retention_in_days) ?? 0) <= 0) return `retention_in_days is ${show(a.retention_in_days)}`;
    return undefined;
  },
});
