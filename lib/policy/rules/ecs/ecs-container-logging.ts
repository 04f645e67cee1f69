import { defineRule } from "../../types";
import { containerDefinitions } from "./containers";

/** ZNECS9: every container ships its logs. */
export const rule = defineRule({
  id: "ZNECS9",
  service: "ecs",
  title: "Every container has a log configuration",
  description: "Without a log driver the container output is lost when the task stops.",
  severity: "medium",
  resourceTypes: ["aws_ecs_task_definition"],
  scanners: {},
  fix: 'Set logConfiguration: { logDriver: "awslogs", options: { "awslogs-group", "awslogs-region", "awslogs-stream-prefix" } }.',
  check: ({ attributes: a }) =>
    (containerDefinitions(a) ?? []).filter((c) => !c.logConfiguration?.logDriver).map((c) => `container ${c.name} has no logConfiguration`),
});
