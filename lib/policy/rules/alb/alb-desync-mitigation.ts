import { defineRule } from "../../types";
import { isApplication } from "./alb-drop-invalid-headers";

/** ZNALB9: HTTP desync mitigation is not relaxed to monitor. */
export const rule = defineRule({
  id: "ZNALB9",
  service: "alb",
  title: "ALB desync mitigation is defensive or strictest",
  description: "In monitor mode the load balancer forwards ambiguous requests that enable HTTP desync (request smuggling).",
  severity: "medium",
  resourceTypes: ["aws_lb", "aws_alb"],
  scanners: { checkov: ["CKV_AWS_328"] },
  fix: 'Leave desyncMitigationMode unset (defensive) or set "defensive"/"strictest".',
  check: ({ attributes: a }) => (isApplication(a) && a.desync_mitigation_mode === "monitor" ? "desync_mitigation_mode is monitor" : undefined),
});
