import { defineRule } from "../../types";
import { companions } from "./companions";

/** ZNBKT9: object events are published. */
export const rule = defineRule({
  id: "ZNBKT9",
  service: "s3",
  title: "S3 bucket publishes event notifications",
  description: "Event notifications let downstream systems (security tooling, pipelines) react to object changes.",
  severity: "low",
  resourceTypes: ["aws_s3_bucket"],
  scanners: { checkov: ["CKV2_AWS_62"] },
  fix: "Add an S3BucketNotification (e.g. to EventBridge), or suppress with the reason nothing consumes the events.",
  check: (bucket, ctx) => (companions(bucket, "aws_s3_bucket_notification", ctx).length > 0 ? undefined : "no event notifications"),
});
