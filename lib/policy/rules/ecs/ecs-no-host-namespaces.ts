import { defineRule } from "../../types";

/** ZNECS7: tasks do not share the host's PID or IPC namespace. */
export const rule = defineRule({
  id: "ZNECS7",
  service: "ecs",
  title: "Tasks do not share the host PID/IPC namespace",
  description: "Host namespaces let a container see and signal host processes and read their shared memory.",
  severity: "high",
  resourceTypes: ["aws_ecs_task_definition"],
  scanners: { checkov: ["CKV_AWS_335"] },
  fix: 'Leave pidMode and ipcMode unset (or "task").',
  check: ({ attributes: a }) =>
    (["pid_mode", "ipc_mode"] as const).filter((k) => a[k] === "host").map((k) => `${k} is "host"`),
});
