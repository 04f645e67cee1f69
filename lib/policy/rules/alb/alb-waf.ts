import { isTrue, refersTo } from "../../attributes";
import { defineRule } from "../../types";
import { isApplication } from "./alb-drop-invalid-headers";

/** ZNALB10: internet-facing ALBs have a WAF web ACL. */
export const rule = defineRule({
  id: "ZNALB10",
  service: "alb",
  title: "Internet-facing ALB protected by AWS WAF",
  description: "A web ACL filters common exploits (OWASP top 10, known bad inputs, IP reputation) before they reach the application.",
  severity: "medium",
  resourceTypes: ["aws_lb", "aws_alb"],
  scanners: { checkov: ["CKV2_AWS_28"], kics: ["0afa6ab8-a047-48cf-be07-93a2f8c34cf7"] },
  fix: "Associate a WAFv2 web ACL (aws_wafv2_web_acl_association with resource_arn = the ALB ARN), or suppress with the reason.",
  check: (lb, ctx) => {
    const a = lb.attributes;
    if (!isApplication(a) || isTrue(a.internal)) return;
    const associated = ["aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association"].some((t) =>
      ctx.ofType(t).some((w) => refersTo(w.attributes.resource_arn, lb)),
    );
    if (!associated) return "no WAF web ACL is associated";
    return undefined;
  },
});
