import { isSet, isUnknown, num, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS8: enhanced monitoring is on. */
export const rule = defineRule({
  id: "ZNRDS8",
  service: "rds",
  title: "RDS enhanced monitoring enabled",
  description: "OS-level metrics (per-process CPU, memory, I/O) are needed to diagnose a slow or stuck database.",
  severity: "low",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster_instance"],
  scanners: { checkov: ["CKV_AWS_118"] },
  fix: "Set monitoringInterval (1-60 s) and monitoringRoleArn (config: database.monitoringIntervalSeconds).",
  check: ({ attributes: a }) => {
    if (isUnknown(a.monitoring_interval)) return;
    const interval = num(a.monitoring_interval) ?? 0;
    if (interval <= 0) return `monitoring_interval is ${show(a.monitoring_interval)}`;
    if (!isSet(a.monitoring_role_arn)) return "monitoring_role_arn is unset";
    return undefined;
  },
});
