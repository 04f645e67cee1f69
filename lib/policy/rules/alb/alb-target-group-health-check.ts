import { block, isFalse, isSet } from "../../attributes";
import { defineRule } from "../../types";

/** ZNALB8: target groups health-check their targets. */
export const rule = defineRule({
  id: "ZNALB8",
  service: "alb",
  title: "Target groups define a health check",
  description: "Without an explicit health check the load balancer keeps sending requests to broken tasks and deployments cannot detect failures.",
  severity: "low",
  resourceTypes: ["aws_lb_target_group", "aws_alb_target_group"],
  scanners: { checkov: ["CKV_AWS_261"] },
  fix: "Add healthCheck: { enabled: true, path, interval, timeout, healthyThreshold, unhealthyThreshold, matcher }.",
  check: ({ attributes: a }) => {
    if (a.target_type === "lambda") return;
    const hc = block(a, "health_check");
    if (!hc || isFalse(hc.enabled)) return "health_check is missing or disabled";
    if (["HTTP", "HTTPS"].includes(String(hc.protocol ?? a.protocol)) && !isSet(hc.path)) return "health_check has no path";
    return undefined;
  },
});
