import { defineRule } from "../../types";
import { isAnywhere, ports, SG_RULE_TYPES, sgRules, SgRule } from "./sg-rules";

/** Remote administration ports that must never face the internet. */
export const ADMIN_PORTS = [22, 3389];

const allTraffic = (r: SgRule) =>
  r.protocol === "-1" || r.protocol === "all" || ((r.fromPort ?? 0) <= 0 && (r.toPort ?? 0) >= 65535);
const coversAdminPort = (r: SgRule) =>
  ["tcp", "6"].includes(r.protocol) && ADMIN_PORTS.some((p) => (r.fromPort ?? -1) <= p && p <= (r.toPort ?? -1));

/** ZNVPC7: no internet rule opens all ports or remote-administration ports. */
export const rule = defineRule({
  id: "ZNVPC7",
  service: "vpc",
  title: "No internet-facing rule for all ports or SSH/RDP",
  description: "All-ports and SSH/RDP rules to or from the internet are never needed by this design; do not suppress this rule.",
  severity: "critical",
  resourceTypes: SG_RULE_TYPES,
  scanners: { checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277", "CKV_AWS_382"], trivy: ["AWS-0107"] },
  fix: "Open only the ports the service uses, to specific peers.",
  check: (r) =>
    sgRules(r)
      .filter((x) => x.cidrs.some(isAnywhere) && (allTraffic(x) || (x.direction === "ingress" && coversAdminPort(x))))
      .map((x) => `${x.where} opens ${ports(x)} ${x.direction === "ingress" ? "from" : "to"} the internet`),
});
