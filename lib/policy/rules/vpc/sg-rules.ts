/** Security group rules in one shape: standalone rule resources and inline ingress/egress blocks. */
import { blocks, num, strings } from "../../attributes";
import { PolicyResource } from "../../types";

/** One rule of a security group. */
export interface SgRule {
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** CIDR peers (IPv4 and IPv6). */
  readonly cidrs: string[];
  readonly description?: unknown;
  /** Where it is written, for messages. */
  readonly where: string;
}

/** Resource types that carry security group rules. */
export const SG_RULE_TYPES = [
  "aws_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
];

/** The rules a resource defines. */
export function sgRules(r: PolicyResource): SgRule[] {
  const a = r.attributes;
  switch (r.type) {
    case "aws_security_group":
      return (["ingress", "egress"] as const).flatMap((direction) =>
        blocks(a, direction).map((b, i) => ({
          direction,
          protocol: String(b.protocol ?? ""),
          fromPort: num(b.from_port),
          toPort: num(b.to_port),
          cidrs: [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)],
          description: b.description,
          where: `inline ${direction} #${i + 1}`,
        })),
      );
    case "aws_security_group_rule":
      return [
        {
          direction: a.type === "egress" ? "egress" : "ingress",
          protocol: String(a.protocol ?? ""),
          fromPort: num(a.from_port),
          toPort: num(a.to_port),
          cidrs: [...strings(a.cidr_blocks), ...strings(a.ipv6_cidr_blocks)],
          description: a.description,
          where: `${a.type} rule`,
        },
      ];
    case "aws_vpc_security_group_ingress_rule":
    case "aws_vpc_security_group_egress_rule":
      return [
        {
          direction: r.type.includes("egress") ? "egress" : "ingress",
          protocol: String(a.ip_protocol ?? ""),
          fromPort: num(a.from_port),
          toPort: num(a.to_port),
          cidrs: [...strings(a.cidr_ipv4), ...strings(a.cidr_ipv6)],
          description: a.description,
          where: "rule",
        },
      ];
    default:
      return [];
  }
}

/** The internet: 0.0.0.0/0 or ::/0. */
export const isAnywhere = (cidr: string) => cidr === "0.0.0.0/0" || cidr === "::/0";

/** A readable port range. */
export const ports = (r: SgRule) =>
  r.protocol === "-1" || r.protocol === "all" ? "all traffic" : r.fromPort === r.toPort ? `${r.protocol}/${r.fromPort}` : `${r.protocol}/${r.fromPort}-${r.toPort}`;
