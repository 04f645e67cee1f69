import { defineRule } from "../../types";
import { isAnywhere, ports, SG_RULE_TYPES, sgRules } from "./sg-rules";

/** ZNVPC6: nothing may talk to the whole internet. */
export const rule = defineRule({
  id: "ZNVPC6",
  service: "vpc",
  title: "No security group egress to 0.0.0.0/0 or ::/0",
  description: "Egress to anywhere lets a compromised workload reach any host (exfiltration, command and control).",
  severity: "medium",
  resourceTypes: SG_RULE_TYPES,
  scanners: { checkov: ["CKV_AWS_382"], trivy: ["AWS-0104"] },
  fix: "Restrict egress to security groups, VPC endpoints or prefix lists, or suppress with the reason the workload needs the internet.",
  check: (r) =>
    sgRules(r)
      .filter((x) => x.direction === "egress" && x.cidrs.some(isAnywhere))
      .map((x) => `${x.where} allows ${ports(x)} to ${x.cidrs.filter(isAnywhere).join(", ")}`),
});
