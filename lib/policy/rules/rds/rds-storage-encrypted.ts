import { isSet, isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS1: RDS storage is encrypted with a customer-managed KMS key. */
export const rule = defineRule({
  id: "ZNRDS1",
  service: "rds",
  title: "RDS storage encrypted with a customer-managed KMS key",
  description: "Unencrypted storage, snapshots and replicas expose the database to anyone who gets the volume or a snapshot copy.",
  severity: "high",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  scanners: { checkov: ["CKV_AWS_16", "CKV_AWS_96"], trivy: ["AWS-0080"] },
  fix: "Set storageEncrypted: true and kmsKeyId to the environment's customer-managed KMS key ARN.",
  check: ({ attributes: a }) => {
    if (!isTrue(a.storage_encrypted)) return `storage_encrypted is ${show(a.storage_encrypted)}`;
    if (!isSet(a.kms_key_id)) return "kms_key_id is unset (AWS-managed aws/rds key)";
    return undefined;
  },
});
