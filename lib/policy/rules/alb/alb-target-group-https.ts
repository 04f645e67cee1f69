import { defineRule } from "../../types";

/** ZNALB7: targets are reached over HTTPS. */
export const rule = defineRule({
  id: "ZNALB7",
  service: "alb",
  title: "Target groups use HTTPS to the targets",
  description: "Traffic between the load balancer and the targets is unencrypted when the target group uses HTTP.",
  severity: "medium",
  resourceTypes: ["aws_lb_target_group", "aws_alb_target_group"],
  scanners: { checkov: ["CKV_AWS_378"] },
  fix: "Set protocol: HTTPS (targets then need a certificate), or suppress with the reason TLS ends at the load balancer.",
  check: ({ attributes: a }) => (a.target_type !== "lambda" && a.protocol === "HTTP" ? "protocol is HTTP" : undefined),
});
