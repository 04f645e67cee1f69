import { isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNALB3: deletion protection is on. */
export const rule = defineRule({
  id: "ZNALB3",
  service: "alb",
  title: "Load balancer deletion protection enabled",
  description: "Deleting the load balancer takes the workspace offline and changes its DNS name.",
  severity: "medium",
  resourceTypes: ["aws_lb", "aws_alb"],
  scanners: { checkov: ["CKV_AWS_150"], kics: ["afecd1f1-6378-4f7e-bb3b-60c35801fdd4"] },
  fix: "Set enableDeletionProtection: true (config: loadBalancer.deletionProtection; the prod preset does).",
  check: ({ attributes: a }) =>
    isTrue(a.enable_deletion_protection) ? undefined : `enable_deletion_protection is ${show(a.enable_deletion_protection)}`,
});
