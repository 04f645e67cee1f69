import { block, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNECR3: repositories are encrypted with KMS. */
export const rule = defineRule({
  id: "ZNECR3",
  service: "ecr",
  title: "ECR repositories encrypted with KMS",
  description: "KMS encryption puts image layers under a key whose use is logged and controlled by key policy.",
  severity: "low",
  resourceTypes: ["aws_ecr_repository"],
  scanners: { checkov: ["CKV_AWS_136"] },
  fix: 'Set encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: <key ARN> }].',
  check: ({ attributes: a }) => {
    const type = block(a, "encryption_configuration")?.encryption_type;
    if (type !== "KMS" && type !== "KMS_DSSE") return `encryption_type is ${show(type ?? "AES256")}`;
    return undefined;
  },
});
