import { defineRule } from "../../types";
import { encryptionAlgorithms } from "./companions";

/** ZNBKT2: the bucket has default encryption. */
export const rule = defineRule({
  id: "ZNBKT2",
  service: "s3",
  title: "S3 bucket has default server-side encryption",
  description: "An explicit default encryption configuration documents and enforces how new objects are encrypted.",
  severity: "high",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV_AWS_19"], trivy: ["AWS-0088"] },
  fix: "Add an S3BucketServerSideEncryptionConfigurationA rule (aws:kms with a key, or AES256 where the writer requires it).",
  check: (bucket, ctx) => (encryptionAlgorithms(bucket, ctx).length === 0 ? "no default encryption configuration" : undefined),
});
