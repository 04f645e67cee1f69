import { block, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNECS2: tasks get no public IP. */
export const rule = defineRule({
  id: "ZNECS2",
  service: "ecs",
  title: "ECS services assign no public IP",
  description: "Tasks with public IPs are reachable from the internet past the load balancer.",
  severity: "high",
  resourceTypes: ["aws_ecs_service"],
  scanners: { checkov: ["CKV_AWS_333"] },
  fix: "Set networkConfiguration.assignPublicIp: false and run the tasks in private subnets behind NAT.",
  check: ({ attributes: a }) => (isTrue(block(a, "network_configuration")?.assign_public_ip) ? "assign_public_ip is true" : undefined),
});
