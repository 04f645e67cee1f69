import { block } from "../../attributes";
import { defineRule } from "../../types";
import { companions } from "./companions";

/** ZNBKT6: ACLs are disabled (bucket owner enforced). */
export const rule = defineRule({
  id: "ZNBKT6",
  service: "s3",
  title: "S3 bucket ACLs disabled (BucketOwnerEnforced)",
  description: "With ACLs disabled, only policies grant access and the bucket owner owns every object.",
  severity: "low",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV2_AWS_65"] },
  fix: 'Add an S3BucketOwnershipControls with rule: { objectOwnership: "BucketOwnerEnforced" }.',
  check: (bucket, ctx) => {
    const enforced = companions(bucket, "aws_s3_bucket_ownership_controls", ctx).some(
      (o) => block(o.attributes, "rule")?.object_ownership === "BucketOwnerEnforced",
    );
    if (!enforced) return "object ownership is not BucketOwnerEnforced";
    return undefined;
  },
});
