import { block, isSet, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNDDB2: tables are encrypted with a customer-managed key. */
export const rule = defineRule({
  id: "ZNDDB2",
  service: "dynamodb",
  title: "DynamoDB tables encrypted with a customer-managed KMS key",
  description: "A customer key puts table reads under a key policy and CloudTrail records.",
  severity: "medium",
  resourceTypes: ["aws_dynamodb_table"],
  scanners: { checkov: ["CKV_AWS_119"], trivy: ["AWS-0025"] },
  fix: "Set serverSideEncryption: { enabled: true, kmsKeyArn: <customer-managed key ARN> }.",
  check: ({ attributes: a }) => {
    const sse = block(a, "server_side_encryption");
    if (!sse || !isTrue(sse.enabled) || !isSet(sse.kms_key_arn)) return "server_side_encryption does not use a customer-managed key";
    return undefined;
  },
});
