import { isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS9: Performance Insights is on. */
export const rule = defineRule({
  id: "ZNRDS9",
  service: "rds",
  title: "RDS Performance Insights enabled",
  description: "Performance Insights shows which queries load the database; without it, load problems are guesswork.",
  severity: "low",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV_AWS_353"], trivy: ["AWS-0133"] },
  fix: "Set performanceInsightsEnabled: true on an instance class that supports it (config: database.performanceInsights).",
  check: ({ attributes: a }) =>
    isTrue(a.performance_insights_enabled) ? undefined : `performance_insights_enabled is ${show(a.performance_insights_enabled)}`,
});
