import { isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS3: IAM database authentication is enabled. */
export const rule = defineRule({
  id: "ZNRDS3",
  service: "rds",
  title: "RDS IAM database authentication enabled",
  description: "IAM authentication lets operators use short-lived tokens instead of shared database passwords.",
  severity: "medium",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV_AWS_161"], trivy: ["AWS-0176"] },
  fix: "Set iamDatabaseAuthenticationEnabled: true.",
  check: ({ attributes: a }) =>
    isTrue(a.iam_database_authentication_enabled) ? undefined : `iam_database_authentication_enabled is ${show(a.iam_database_authentication_enabled)}`,
});
