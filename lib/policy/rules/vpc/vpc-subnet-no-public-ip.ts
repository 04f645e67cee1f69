import { isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNVPC3: subnets do not give instances public IPs. */
export const rule = defineRule({
  id: "ZNVPC3",
  service: "vpc",
  title: "Subnets do not assign public IPs on launch",
  description: "Automatic public IPs expose anything launched in the subnet directly to the internet.",
  severity: "medium",
  resourceTypes: ["aws_subnet"],
  scanners: { checkov: ["CKV_AWS_130"], trivy: ["AWS-0164"] },
  fix: "Set mapPublicIpOnLaunch: false; internet-facing entry points (ALB, NAT) get their addresses explicitly.",
  check: ({ attributes: a }) => (isTrue(a.map_public_ip_on_launch) ? "map_public_ip_on_launch is true" : undefined),
});
