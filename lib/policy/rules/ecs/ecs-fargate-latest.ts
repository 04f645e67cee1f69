import { isUnknown, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNECS3: Fargate services run on the latest platform version. */
export const rule = defineRule({
  id: "ZNECS3",
  service: "ecs",
  title: "Fargate services use platform version LATEST",
  description: "Pinned old platform versions miss kernel and runtime security patches.",
  severity: "low",
  resourceTypes: ["aws_ecs_service"],
  scanners: { checkov: ["CKV_AWS_332"] },
  fix: 'Set platformVersion: "LATEST" (or leave it unset).',
  check: ({ attributes: a }) => {
    if (a.launch_type !== "FARGATE" || a.platform_version === undefined || isUnknown(a.platform_version)) return;
    if (a.platform_version !== "LATEST") return `platform_version is ${show(a.platform_version)}`;
    return undefined;
  },
});
