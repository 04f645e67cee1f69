import { show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNECR1: image tags cannot be overwritten. */
export const rule = defineRule({
  id: "ZNECR1",
  service: "ecr",
  title: "ECR image tags are immutable",
  description: "Mutable tags let anyone with push access replace an image that running tasks or runners pull by tag.",
  severity: "medium",
  resourceTypes: ["aws_ecr_repository"],
  scanners: { checkov: ["CKV_AWS_51"], kics: ["d1846b12-20c5-4d45-8798-fc35b79268eb"] },
  fix: 'Set imageTagMutability: "IMMUTABLE".',
  check: ({ attributes: a }) =>
    String(a.image_tag_mutability ?? "MUTABLE").startsWith("IMMUTABLE") ? undefined : `image_tag_mutability is ${show(a.image_tag_mutability ?? "MUTABLE")}`,
});
