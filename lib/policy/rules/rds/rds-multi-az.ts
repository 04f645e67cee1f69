import { isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS6: the instance has a Multi-AZ standby. */
export const rule = defineRule({
  id: "ZNRDS6",
  service: "rds",
  title: "RDS Multi-AZ enabled",
  description: "A single-AZ instance is down for the whole AZ outage or host failure; Multi-AZ fails over in minutes.",
  severity: "medium",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV_AWS_157"] },
  fix: "Set multiAz: true (config: database.multiAz; the prod preset does).",
  check: ({ attributes: a }) => (isTrue(a.multi_az) ? undefined : `multi_az is ${show(a.multi_az)}`),
});
