import { block, isTrue } from "../../attributes";
import { defineRule } from "../../types";
import { companions } from "./companions";

/** ZNBKT4: versioning is enabled. */
export const rule = defineRule({
  id: "ZNBKT4",
  service: "s3",
  title: "S3 bucket versioning enabled",
  description: "Versioning keeps overwritten and deleted objects recoverable (state files above all).",
  severity: "medium",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV_AWS_21"], trivy: ["AWS-0090"], kics: ["568a4d22-3517-44a6-a7ad-6a7eed88722c"] },
  fix: 'Add an S3BucketVersioningA with versioningConfiguration: { status: "Enabled" }.',
  check: (bucket, ctx) => {
    const enabled =
      companions(bucket, "aws_s3_bucket_versioning", ctx).some((v) => block(v.attributes, "versioning_configuration")?.status === "Enabled") ||
      isTrue(block(bucket.attributes, "versioning")?.enabled);
    if (!enabled) return "versioning is not enabled";
    return undefined;
  },
});
