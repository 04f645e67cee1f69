import { isUnknown, num, show } from "../../attributes";
import { defineRule } from "../../types";

/** Minimum automated backup retention (days). */
export const MIN_BACKUP_RETENTION_DAYS = 7;

/** ZNRDS4: automated backups are kept at least 7 days. */
export const rule = defineRule({
  id: "ZNRDS4",
  service: "rds",
  title: `RDS automated backups kept at least ${MIN_BACKUP_RETENTION_DAYS} days`,
  description: "Without automated backups (or with a very short window) point-in-time recovery after data loss or a bad migration is impossible.",
  severity: "medium",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  scanners: { checkov: ["CKV_AWS_133"], trivy: ["AWS-0077"] },
  fix: `Set backupRetentionPeriod to ${MIN_BACKUP_RETENTION_DAYS}-35 days (config: database.backupRetentionDays).`,
  check: ({ attributes: a }) => {
    if (isUnknown(a.backup_retention_period)) return;
    const days = num(a.backup_retention_period);
    if (days === undefined || days < MIN_BACKUP_RETENTION_DAYS) return `backup_retention_period is ${show(a.backup_retention_period)}`;
    return undefined;
  },
});
