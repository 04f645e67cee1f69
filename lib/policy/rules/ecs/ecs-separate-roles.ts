import { isSet } from "../../attributes";
import { UNKNOWN, defineRule } from "../../types";

/** ZNECS4: the task role differs from the execution role. */
export const rule = defineRule({
  id: "ZNECS4",
  service: "ecs",
  title: "Task role and execution role are separate",
  description: "The execution role can read every injected secret; the application must not run with those permissions.",
  severity: "medium",
  resourceTypes: ["aws_ecs_task_definition"],
  scanners: { checkov: ["CKV_AWS_249"] },
  fix: "Give the task definition its own taskRoleArn, distinct from executionRoleArn.",
  check: ({ attributes: a }) => {
    if (!isSet(a.execution_role_arn) || !isSet(a.task_role_arn)) return;
    if (a.execution_role_arn === UNKNOWN || a.task_role_arn === UNKNOWN) return;
    if (a.execution_role_arn === a.task_role_arn) return "task_role_arn equals execution_role_arn";
    return undefined;
  },
});
