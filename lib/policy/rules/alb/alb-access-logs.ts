import { block, isSet, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNALB2: access logs go to S3. */
export const rule = defineRule({
  id: "ZNALB2",
  service: "alb",
  title: "Load balancer access logs enabled",
  description: "Access logs are the only record of who called the workspace, from where, and with what result.",
  severity: "medium",
  resourceTypes: ["aws_lb", "aws_alb"],
  scanners: { checkov: ["CKV_AWS_91"] },
  fix: "Set accessLogs: { bucket, prefix, enabled: true } with a bucket whose policy allows ELB log delivery.",
  check: ({ attributes: a }) => {
    const logs = block(a, "access_logs");
    if (!logs || !isTrue(logs.enabled) || !isSet(logs.bucket)) return "access_logs is not enabled";
    return undefined;
  },
});
