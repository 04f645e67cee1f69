import { isSet } from "../../attributes";
import { defineRule } from "../../types";
import { SG_RULE_TYPES, sgRules } from "./sg-rules";

/** ZNVPC4: security groups and their rules are described. */
export const rule = defineRule({
  id: "ZNVPC4",
  service: "vpc",
  title: "Security groups and rules have descriptions",
  description: "Descriptions say why a port is open; reviews and audits cannot judge undocumented rules.",
  severity: "low",
  resourceTypes: SG_RULE_TYPES,
  scanners: { checkov: ["CKV_AWS_23"], trivy: ["AWS-0099", "AWS-0124"] },
  fix: "Give every SecurityGroup and rule a description stating its purpose.",
  check: (r) => {
    const problems: string[] = [];
    if (r.type === "aws_security_group" && (!isSet(r.attributes.description) || r.attributes.description === "Managed by Terraform")) {
      problems.push("the security group has no description");
    }
    for (const rule of sgRules(r)) if (!isSet(rule.description)) problems.push(`${rule.where} has no description`);
    return problems;
  },
});
