import { isSet, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS15: RDS generates and keeps the master password (it never enters Terraform). */
export const rule = defineRule({
  id: "ZNRDS15",
  service: "rds",
  title: "RDS master password managed by RDS in Secrets Manager (customer KMS key)",
  description:
    "A password given to Terraform is stored in plain text in the state file; RDS-managed passwords live only in Secrets Manager and rotate.",
  severity: "high",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  scanners: {},
  fix: "Set manageMasterUserPassword: true and masterUserSecretKmsKeyId; do not set password.",
  check: ({ attributes: a }) => {
    if (isSet(a.password)) return "password is set (it is stored in Terraform state)";
    if (a.replicate_source_db || a.snapshot_identifier) return;
    if (!isTrue(a.manage_master_user_password)) return "manage_master_user_password is not true";
    if (!isSet(a.master_user_secret_kms_key_id)) return "master_user_secret_kms_key_id is unset (AWS-managed key)";
    return undefined;
  },
});
