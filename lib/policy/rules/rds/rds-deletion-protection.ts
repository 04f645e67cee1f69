import { isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS5: deletion protection is on. */
export const rule = defineRule({
  id: "ZNRDS5",
  service: "rds",
  title: "RDS deletion protection enabled",
  description: "Deletion protection stops an accidental destroy or a replacement from deleting the database.",
  severity: "medium",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  scanners: { checkov: ["CKV_AWS_293", "CKV_AWS_139"], trivy: ["AWS-0177"] },
  fix: "Set deletionProtection: true (config: database.deletionProtection; the prod preset does).",
  check: ({ attributes: a }) => (isTrue(a.deletion_protection) ? undefined : `deletion_protection is ${show(a.deletion_protection)}`),
});
