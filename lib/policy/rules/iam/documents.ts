/** The policy documents an IAM rule looks at, with where each came from. */
import { referencedAddress } from "../../attributes";
import { documentStatements, jsonStatements, Statement } from "../../policy-documents";
import { PolicyResource } from "../../types";

/** Resource types (besides the data source) whose attribute holds a policy, by attribute. */
export const POLICY_ATTRIBUTES: Record<string, string> = {
  aws_iam_policy: "policy",
  aws_iam_role_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
  aws_iam_role: "assume_role_policy",
  aws_kms_key: "policy",
  aws_s3_bucket_policy: "policy",
  aws_sns_topic_policy: "policy",
  aws_sqs_queue_policy: "policy",
  aws_ecr_repository_policy: "policy",
  aws_secretsmanager_secret_policy: "policy",
};

/** Types an IAM statement rule applies to. */
export const POLICY_TYPES = ["data.aws_iam_policy_document", ...Object.keys(POLICY_ATTRIBUTES)];

/**
 * Statements to check on `r`: a policy-document data source's own statements, or a resource's literal
 * JSON policy. A resource that references a data source is skipped (the data source is checked itself),
 * so each problem is reported once, where it is written.
 */
export function ownStatements(r: PolicyResource): Statement[] {
  if (r.mode === "data") return r.type === "aws_iam_policy_document" ? documentStatements(r) : [];
  const attr = POLICY_ATTRIBUTES[r.type];
  const value = attr ? r.attributes[attr] : undefined;
  if (referencedAddress(value)) return [];
  return jsonStatements(value) ?? [];
}

/** `Sid` (or index) of a statement for messages. */
export const label = (s: Statement, i: number) => (s.sid ? `statement ${s.sid}` : `statement #${i + 1}`);
