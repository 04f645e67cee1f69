import { block } from "../../attributes";
import { defineRule } from "../../types";
import { companions } from "./companions";

/** ZNBKT8: server access logging is on. */
export const rule = defineRule({
  id: "ZNBKT8",
  service: "s3",
  title: "S3 bucket server access logging enabled",
  description: "Server access logs record every request to the bucket, including denied ones.",
  severity: "low",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV_AWS_18"], trivy: ["AWS-0089"], kics: ["f861041c-8c9f-4156-acfc-5e6e524f5884"] },
  fix: "Add an S3BucketLoggingA targeting a log bucket (SecureBucket's accessLogs prop), or suppress on log buckets themselves.",
  check: (bucket, ctx) =>
    companions(bucket, "aws_s3_bucket_logging", ctx).length > 0 || block(bucket.attributes, "logging")?.target_bucket
      ? undefined
      : "no server access logging",
});
