import { refersTo } from "../../attributes";
import { defineRule } from "../../types";

/** ZNVPC1: every VPC has flow logs. */
export const rule = defineRule({
  id: "ZNVPC1",
  service: "vpc",
  title: "VPC flow logs enabled",
  description: "Flow logs are the record of network connections in and out of the workspace (forensics, exfiltration detection).",
  severity: "medium",
  resourceTypes: ["aws_vpc"],
  scanners: { checkov: ["CKV2_AWS_11"], trivy: ["AWS-0178"], kics: ["f83121ea-03da-434f-9277-9cd247ab3047"] },
  fix: "Add a FlowLog with vpcId = the VPC and trafficType ALL (modules/network.ts does).",
  check: (vpc, ctx) => (ctx.ofType("aws_flow_log").some((f) => refersTo(f.attributes.vpc_id, vpc)) ? undefined : "no flow log for this VPC"),
});
