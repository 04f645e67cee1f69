import { blocks, refersTo } from "../../attributes";
import { defineRule } from "../../types";

/** ZNVPC2: the default security group allows nothing. */
export const rule = defineRule({
  id: "ZNVPC2",
  service: "vpc",
  title: "Default security group restricts all traffic",
  description: "Resources launched without a security group land in the default group; it must allow nothing.",
  severity: "medium",
  resourceTypes: ["aws_vpc", "aws_default_security_group"],
  scanners: { checkov: ["CKV2_AWS_12"] },
  fix: "Manage the VPC's aws_default_security_group without ingress or egress rules (modules/network.ts does).",
  check: (r, ctx) => {
    if (r.type === "aws_default_security_group") {
      const open = ["ingress", "egress"].filter((d) => blocks(r.attributes, d).length > 0);
      return open.length > 0 ? `the default security group has ${open.join(" and ")} rules` : undefined;
    }
    if (!ctx.ofType("aws_default_security_group").some((g) => refersTo(g.attributes.vpc_id, r))) {
      return "the VPC's default security group is not managed (it keeps AWS's allow-all rules)";
    }
    return undefined;
  },
});
