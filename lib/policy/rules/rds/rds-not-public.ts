import { isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS2: RDS is not publicly accessible. */
export const rule = defineRule({
  id: "ZNRDS2",
  service: "rds",
  title: "RDS instance not publicly accessible",
  description: "A publicly accessible instance gets a public DNS name and IP; only security groups stand between it and the internet.",
  severity: "critical",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster_instance"],
  scanners: { checkov: ["CKV_AWS_17"] },
  fix: "Set publiclyAccessible: false and place the instance in private subnets.",
  check: ({ attributes: a }) => (isTrue(a.publicly_accessible) ? "publicly_accessible is true" : undefined),
});
