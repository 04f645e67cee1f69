import { blocks } from "../../attributes";
import { defineRule } from "../../types";
import { companions } from "./companions";

/** ZNBKT7: a lifecycle configuration aborts incomplete multipart uploads. */
export const rule = defineRule({
  id: "ZNBKT7",
  service: "s3",
  title: "S3 bucket lifecycle aborts incomplete uploads",
  description: "Incomplete multipart uploads are invisible, billed storage; lifecycle rules also bound noncurrent versions.",
  severity: "low",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV2_AWS_61"] },
  fix: "Add an S3BucketLifecycleConfiguration with an enabled rule that has abortIncompleteMultipartUpload.",
  check: (bucket, ctx) => {
    const rules = companions(bucket, "aws_s3_bucket_lifecycle_configuration", ctx).flatMap((l) => blocks(l.attributes, "rule"));
    if (rules.length === 0) return "no lifecycle configuration";
    if (!rules.some((r) => r.status === "Enabled" && blocks(r, "abort_incomplete_multipart_upload").length > 0)) {
      return "no enabled lifecycle rule aborts incomplete multipart uploads";
    }
    return undefined;
  },
});
