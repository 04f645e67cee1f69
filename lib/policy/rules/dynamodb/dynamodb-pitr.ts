import { block, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNDDB1: point-in-time recovery is on. */
export const rule = defineRule({
  id: "ZNDDB1",
  service: "dynamodb",
  title: "DynamoDB point-in-time recovery enabled",
  description: "PITR restores the table to any second of the last 35 days after accidental writes or deletes.",
  severity: "medium",
  resourceTypes: ["aws_dynamodb_table"],
  scanners: { checkov: ["CKV_AWS_28"], trivy: ["AWS-0024"] },
  fix: "Set pointInTimeRecovery: { enabled: true }.",
  check: ({ attributes: a }) => (isTrue(block(a, "point_in_time_recovery")?.enabled) ? undefined : "point_in_time_recovery is not enabled"),
});
