import { isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNALB4: the load balancer is internal. */
export const rule = defineRule({
  id: "ZNALB4",
  service: "alb",
  title: "Load balancer is internal",
  description: "An internet-facing load balancer is reachable by anyone; only expose what must be public, behind TLS and a WAF if required.",
  severity: "high",
  resourceTypes: ["aws_lb", "aws_alb"],
  scanners: { trivy: ["AWS-0053"] },
  fix: "Set internal: true, or suppress with the reason the endpoint must be public.",
  check: ({ attributes: a }) => (isTrue(a.internal) ? undefined : "internal is not true (internet-facing)"),
});
