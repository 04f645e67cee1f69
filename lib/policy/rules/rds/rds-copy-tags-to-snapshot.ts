import { isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS12: snapshots carry the instance tags. */
export const rule = defineRule({
  id: "ZNRDS12",
  service: "rds",
  title: "RDS copies tags to snapshots",
  description: "Untagged snapshots escape cost allocation, retention and access policies that select by tag.",
  severity: "low",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV2_AWS_60"] },
  fix: "Set copyTagsToSnapshot: true.",
  check: ({ attributes: a }) => (isTrue(a.copy_tags_to_snapshot) ? undefined : `copy_tags_to_snapshot is ${show(a.copy_tags_to_snapshot)}`),
});
