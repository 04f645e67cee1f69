/** The trust policy of a role that one AWS service assumes. */
import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * JSON of an `sts:AssumeRole` trust policy for `service` (e.g. `states.amazonaws.com`), as a
 * `DataAwsIamPolicyDocument` named `id` in `scope`.
 */
export function serviceTrustPolicy(scope: Construct, id: string, service: string): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] }],
  }).json;
}
