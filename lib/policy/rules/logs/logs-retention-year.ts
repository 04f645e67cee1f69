import { isUnknown, num, show } from "../../attributes";
import { defineRule } from "../../types";

/** Minimum retention for audit-relevant logs (days). */
export const MIN_LOG_RETENTION_DAYS = 365;

/** ZNLOG3: log groups keep a year of logs. */
export const rule = defineRule({
  id: "ZNLOG3",
  service: "logs",
  title: `CloudWatch log groups keep logs at least ${MIN_LOG_RETENTION_DAYS} days`,
  description: "Incident investigations and audits commonly need a year of access, flow and application logs.",
  severity: "low",
  resourceTypes: ["aws_cloudwatch_log_group"],
  scanners: { checkov: ["CKV_AWS_338"] },
  fix: `Set retentionInDays to ${MIN_LOG_RETENTION_DAYS} or more (the prod preset does), or suppress for short-lived environments.`,
  check: ({ attributes: a }) => {
    if (isUnknown(a.retention_in_days)) return;
    const days = num(a.retention_in_days) ?? 0;
    if (days > 0 && days < MIN_LOG_RETENTION_DAYS) return `retention_in_days is ${show(a.retention_in_days)}`;
    return undefined;
  },
});
