/** The trust policy of a role that one AWS service assumes, scoped against the confused deputy. */
import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * On whose behalf the service may assume the role: AWS's cross-service confused-deputy pattern
 * (IAM user guide, "The confused deputy problem"): `aws:SourceAccount` always, `aws:SourceArn` where
 * the service documents the ARN it sends.
 */
export interface TrustSource {
  /** The account whose resources may make the service assume the role (`aws:SourceAccount`). */
  readonly accountId: string;
  /**
   * ARN (or ArnLike pattern) of the resource on whose behalf the service assumes the role
   * (`aws:SourceArn`). Build it from account, region and name when that resource references the
   * role itself (a reference to its `arn` would be a dependency cycle).
   * @default no aws:SourceArn condition (only for services that do not document one)
   */
  readonly sourceArn?: string;
}

/** The condition blocks of {@link TrustSource}. */
export function trustConditions(source: TrustSource): { test: string; variable: string; values: string[] }[] {
  return [
    { test: "StringEquals", variable: "aws:SourceAccount", values: [source.accountId] },
    ...(source.sourceArn ? [{ test: "ArnLike", variable: "aws:SourceArn", values: [source.sourceArn] }] : []),
  ];
}

/**
 * JSON of an `sts:AssumeRole` trust policy for `service` (e.g. `states.amazonaws.com`) conditioned
 * on `source`, as a `DataAwsIamPolicyDocument` named `id` in `scope`. Policy rule ZNIAM7 fails a
 * service trust policy without these conditions.
 */
export function serviceTrustPolicy(scope: Construct, id: string, service: string, source: TrustSource): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: [service] }],
        condition: trustConditions(source),
      },
    ],
  }).json;
}
