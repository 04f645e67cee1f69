import { defineRule } from "../../types";
import { containerDefinitions } from "./containers";

/** ZNECS5: containers have a read-only root filesystem. */
export const rule = defineRule({
  id: "ZNECS5",
  service: "ecs",
  title: "Containers run with a read-only root filesystem",
  description: "A writable root filesystem lets a compromised process modify binaries and persist tooling inside the container.",
  severity: "medium",
  resourceTypes: ["aws_ecs_task_definition"],
  scanners: { checkov: ["CKV_AWS_336"] },
  fix: "Set readonlyRootFilesystem: true on every container and mount task volumes where the app must write (e.g. /tmp).",
  check: ({ attributes: a }) =>
    (containerDefinitions(a) ?? [])
      .filter((c) => c.readonlyRootFilesystem !== true)
      .map((c) => `container ${c.name} has a writable root filesystem`),
});
