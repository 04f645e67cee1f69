import { strings } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS7: database logs are exported to CloudWatch. */
export const rule = defineRule({
  id: "ZNRDS7",
  service: "rds",
  title: "RDS logs exported to CloudWatch Logs",
  description: "Error and query logs in CloudWatch survive instance replacement and can be searched and alarmed on.",
  severity: "medium",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV_AWS_129"], kics: ["8d7f7b8c-6c7c-40f8-baa6-62006c6c7b56"] },
  fix: "Set enabledCloudwatchLogsExports (MySQL: error, general, slowquery; PostgreSQL: postgresql).",
  check: ({ attributes: a }) => {
    const exports = strings(a.enabled_cloudwatch_logs_exports);
    if (exports.length === 0) return "enabled_cloudwatch_logs_exports is empty";
    if (/mysql|mariadb/.test(String(a.engine ?? "")) && !exports.includes("error")) return `the error log is not exported (${exports.join(", ")})`;
    return undefined;
  },
});
