import { defineRule } from "../../types";
import { encryptionAlgorithms } from "./companions";

/** ZNBKT3: default encryption uses KMS. */
export const rule = defineRule({
  id: "ZNBKT3",
  service: "s3",
  title: "S3 bucket encrypts with KMS by default",
  description: "SSE-KMS adds a key policy and CloudTrail record to every object read; SSE-S3 does not.",
  severity: "medium",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV_AWS_145"], trivy: ["AWS-0132"] },
  fix: 'Use sseAlgorithm "aws:kms" with a customer-managed key, or suppress where the writing service only supports SSE-S3 (ALB access logs, S3 server access logs).',
  check: (bucket, ctx) => {
    const algorithms = encryptionAlgorithms(bucket, ctx);
    if (algorithms.length > 0 && !algorithms.some((a) => a.startsWith("aws:kms"))) return `default encryption is ${algorithms.join(", ")}`;
    return undefined;
  },
});
