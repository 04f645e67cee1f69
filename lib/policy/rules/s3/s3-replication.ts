import { block } from "../../attributes";
import { defineRule } from "../../types";
import { companions } from "./companions";

/** ZNBKT10: objects are replicated to another region. */
export const rule = defineRule({
  id: "ZNBKT10",
  service: "s3",
  title: "S3 bucket replicates to another region",
  description: "Cross-region replication keeps a copy when a region or the bucket is lost.",
  severity: "low",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV_AWS_144"] },
  fix: "Add an S3BucketReplicationConfigurationA to a bucket in another region, or suppress with the recovery reason.",
  check: (bucket, ctx) =>
    companions(bucket, "aws_s3_bucket_replication_configuration", ctx).length > 0 || block(bucket.attributes, "replication_configuration")?.role
      ? undefined
      : "no cross-region replication",
});
