import { defineRule } from "../../types";
import { containerDefinitions } from "./containers";

/** ZNECS6: no privileged containers. */
export const rule = defineRule({
  id: "ZNECS6",
  service: "ecs",
  title: "No privileged containers",
  description: "A privileged container has root access to the host's devices and kernel interfaces.",
  severity: "high",
  resourceTypes: ["aws_ecs_task_definition"],
  scanners: {},
  fix: "Remove privileged: true (Fargate does not support it; on EC2 grant single Linux capabilities instead).",
  check: ({ attributes: a }) =>
    (containerDefinitions(a) ?? []).filter((c) => c.privileged === true).map((c) => `container ${c.name} is privileged`),
});
