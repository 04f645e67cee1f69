import { isTrue } from "../../attributes";
import { defineRule } from "../../types";
import { companions } from "./companions";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/** ZNBKT1: every public-access setting is blocked. */
export const rule = defineRule({
  id: "ZNBKT1",
  service: "s3",
  title: "S3 bucket blocks all public access",
  description: "The public access block is the guard against a later ACL or policy change making objects public.",
  severity: "high",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"], trivy: ["AWS-0086", "AWS-0087", "AWS-0091", "AWS-0093", "AWS-0094"] },
  fix: "Add an S3BucketPublicAccessBlock for the bucket with all four flags true (modules/secure-bucket.ts does).",
  check: (bucket, ctx) => {
    const pab = companions(bucket, "aws_s3_bucket_public_access_block", ctx);
    if (pab.length === 0) return "no aws_s3_bucket_public_access_block";
    const off = FLAGS.filter((f) => !pab.some((p) => isTrue(p.attributes[f])));
    if (off.length > 0) return `public access block leaves ${off.join(", ")} off`;
    return undefined;
  },
});
