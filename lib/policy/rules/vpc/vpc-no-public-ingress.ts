import { defineRule } from "../../types";
import { isAnywhere, ports, SG_RULE_TYPES, sgRules } from "./sg-rules";

/** ZNVPC5: nothing is open to the internet. */
export const rule = defineRule({
  id: "ZNVPC5",
  service: "vpc",
  title: "No security group ingress from 0.0.0.0/0 or ::/0",
  description: "Ingress from anywhere exposes the port to the whole internet.",
  severity: "high",
  resourceTypes: SG_RULE_TYPES,
  scanners: { checkov: ["CKV_AWS_260", "CKV_AWS_24", "CKV_AWS_25"], trivy: ["AWS-0107"], kics: ["4728cd65-a20c-49da-8b31-9c08b423e4db"] },
  fix: "Restrict the source to a security group or known CIDRs, or suppress on the rule of an intentionally public endpoint.",
  check: (r) =>
    sgRules(r)
      .filter((x) => x.direction === "ingress" && x.cidrs.some(isAnywhere))
      .map((x) => `${x.where} allows ${ports(x)} from ${x.cidrs.filter(isAnywhere).join(", ")}`),
});
