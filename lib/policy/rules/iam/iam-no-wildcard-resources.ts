import { defineRule } from "../../types";
import { resourcePolicyUsers } from "../../policy-documents";
import { label, ownStatements, POLICY_TYPES } from "./documents";

/** Actions AWS only grants on Resource "*", or that are read-only listings. */
export const ACTIONS_ALLOWED_ON_ANY_RESOURCE = [
  /^[a-z0-9-]+:(Describe|List)[A-Za-z0-9]*$/,
  /^ecr:GetAuthorizationToken$/,
  /^sts:GetCallerIdentity$/,
  /^cloudwatch:PutMetricData$/,
  /^xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets|GetSamplingStatisticSummaries)$/,
  /^logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries)$/,
];

/** ZNIAM3: write and read-data actions are scoped to resources. */
export const rule = defineRule({
  id: "ZNIAM3",
  service: "iam",
  title: 'No identity policy grants data or write actions on Resource "*"',
  description: 'Resource "*" extends the grant to every current and future resource of the account.',
  severity: "high",
  resourceTypes: POLICY_TYPES.filter((t) => !["aws_kms_key", "aws_s3_bucket_policy", "aws_sns_topic_policy", "aws_sqs_queue_policy", "aws_ecr_repository_policy", "aws_secretsmanager_secret_policy", "aws_iam_role"].includes(t)),
  scanners: { checkov: ["CKV_AWS_356", "CKV_AWS_111", "CKV_AWS_108"], trivy: ["AWS-0057"] },
  fix: "Name the resource ARNs (or add conditions); only list/describe actions and actions AWS allows solely on \"*\" may use it.",
  check: (r, ctx) => {
    // In a key or resource policy, Resource "*" means the resource the policy is attached to.
    if (r.mode === "data" && resourcePolicyUsers(r, ctx).length > 0) return;
    return ownStatements(r).flatMap((s, i) => {
      if (s.effect !== "Allow" || !s.resources.includes("*") || s.principals.length > 0) return [];
      const broad = s.actions.filter((a) => !ACTIONS_ALLOWED_ON_ANY_RESOURCE.some((re) => re.test(a)));
      return broad.length > 0 ? [`${label(s, i)} allows ${broad.join(", ")} on Resource "*"`] : [];
    });
  },
});
