import { isUnknown, show } from "../../attributes";
import { defineRule } from "../../types";

/** ELB security policy name prefixes that allow TLS 1.2+ only. */
export const MODERN_TLS_POLICY_PREFIXES = [
  "ELBSecurityPolicy-TLS13-1-2-",
  "ELBSecurityPolicy-TLS13-1-3-",
  "ELBSecurityPolicy-FS-1-2-",
  "ELBSecurityPolicy-TLS-1-2-",
];

/** ZNALB6: HTTPS listeners accept TLS 1.2 and newer only. */
export const rule = defineRule({
  id: "ZNALB6",
  service: "alb",
  title: "HTTPS listeners use a TLS 1.2+ security policy",
  description: "Policies such as ELBSecurityPolicy-2016-08 (the default) still accept TLS 1.0/1.1 and weak ciphers.",
  severity: "high",
  resourceTypes: ["aws_lb_listener", "aws_alb_listener"],
  scanners: { checkov: ["CKV_AWS_103", "CKV2_AWS_74"], trivy: ["AWS-0047"] },
  fix: "Set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS13-1-2 / FS-1-2 / TLS-1-2 policy) (config: loadBalancer.sslPolicy).",
  check: ({ attributes: a }) => {
    if (!["HTTPS", "TLS"].includes(String(a.protocol))) return;
    if (isUnknown(a.ssl_policy)) return;
    const policy = String(a.ssl_policy ?? "ELBSecurityPolicy-2016-08");
    if (!MODERN_TLS_POLICY_PREFIXES.some((p) => policy.startsWith(p))) return `ssl_policy is ${show(a.ssl_policy ?? policy)}`;
    return undefined;
  },
});
