import { isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** True for application load balancers (the default type). */
export const isApplication = (a: Readonly<Record<string, unknown>>) => (a.load_balancer_type ?? "application") === "application";

/** ZNALB1: the ALB drops requests with invalid header fields. */
export const rule = defineRule({
  id: "ZNALB1",
  service: "alb",
  title: "ALB drops invalid HTTP header fields",
  description: "Forwarding malformed headers enables HTTP request smuggling and header-injection attacks against the targets.",
  severity: "high",
  resourceTypes: ["aws_lb", "aws_alb"],
  scanners: { checkov: ["CKV_AWS_131"], trivy: ["AWS-0052"] },
  fix: "Set dropInvalidHeaderFields: true on the Lb.",
  check: ({ attributes: a }) =>
    isApplication(a) && !isTrue(a.drop_invalid_header_fields) ? `drop_invalid_header_fields is ${show(a.drop_invalid_header_fields)}` : undefined,
});
