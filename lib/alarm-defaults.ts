/**
 * Alarm settings shared by the modules that page on events counted by a metric (log metric filters,
 * Step Functions and EventBridge failures): any occurrence within five minutes fires, and no data
 * means nothing happened (these metrics are only published when something does).
 */
export const ANY_IN_FIVE_MINUTES = {
  statistic: "Sum",
  period: 300,
  evaluationPeriods: 1,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  treatMissingData: "notBreaching",
} as const;
