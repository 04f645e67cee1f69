import { isFalse } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS11: minor versions are applied automatically. */
export const rule = defineRule({
  id: "ZNRDS11",
  service: "rds",
  title: "RDS automatic minor version upgrades",
  description: "Minor versions carry security fixes; applying them in the maintenance window keeps the engine patched.",
  severity: "low",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster_instance"],
  scanners: { checkov: ["CKV_AWS_226"] },
  fix: "Set autoMinorVersionUpgrade: true (the default) and leave the maintenance window in place.",
  check: ({ attributes: a }) => (isFalse(a.auto_minor_version_upgrade) ? "auto_minor_version_upgrade is false" : undefined),
});
