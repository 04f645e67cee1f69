import { S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ResolvedState } from "../lib/config/schema";

/** What every environment or platform stack sets up first. */
export interface StackBase {
  readonly envName: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: ResolvedState;
}

/**
 * The AWS provider (region, default tags) and the S3 backend (encrypted; S3-native lockfile unless a
 * DynamoDB lock table is configured) of a stack.
 */
export function awsProviderAndState(stack: TerraformStack, c: StackBase): AwsProvider {
  const provider = new AwsProvider(stack, "aws", {
    region: c.region,
    defaultTags: [{ tags: { Project: "zenml-hybrid", Environment: c.envName, ManagedBy: "cdktf", ...c.tags } }],
  });
  new S3Backend(stack, {
    bucket: c.state.bucket,
    key: c.state.key,
    region: c.state.region,
    encrypt: true,
    dynamodbTable: c.state.dynamodbTable,
  });
  if (!c.state.dynamodbTable) stack.addOverride("terraform.backend.s3.use_lockfile", true);
  return provider;
}
