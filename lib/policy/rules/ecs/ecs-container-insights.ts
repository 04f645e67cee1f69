import { blocks } from "../../attributes";
import { defineRule } from "../../types";

/** ZNECS1: Container Insights is on for the cluster. */
export const rule = defineRule({
  id: "ZNECS1",
  service: "ecs",
  title: "ECS cluster has Container Insights enabled",
  description: "Container Insights provides task-level CPU/memory and running-task metrics used by the alarms.",
  severity: "low",
  resourceTypes: ["aws_ecs_cluster"],
  scanners: { checkov: ["CKV_AWS_65"], trivy: ["AWS-0034"] },
  fix: 'Add setting: [{ name: "containerInsights", value: "enabled" }] to the EcsCluster.',
  check: ({ attributes: a }) => {
    const s = blocks(a, "setting").find((x) => x.name === "containerInsights");
    if (!s || !["enabled", "enhanced"].includes(String(s.value))) return "containerInsights is not enabled";
    return undefined;
  },
});
