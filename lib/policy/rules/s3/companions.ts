/** Bucket-level settings live in separate resources (provider v4+); these helpers find them for a bucket. */
import { block, blocks, refersTo } from "../../attributes";
import { Attributes, PolicyResource, RuleContext } from "../../types";

/** Resources of `type` whose `bucket` attribute points at `bucket`. */
export function companions(bucket: PolicyResource, type: string, context: RuleContext): PolicyResource[] {
  return context.ofType(type).filter((r) => refersTo(r.attributes.bucket, bucket));
}

/** Default-encryption algorithms of a bucket (separate resource or the legacy inline block). */
export function encryptionAlgorithms(bucket: PolicyResource, context: RuleContext): string[] {
  const rules: Attributes[] = [
    ...companions(bucket, "aws_s3_bucket_server_side_encryption_configuration", context).flatMap((c) => blocks(c.attributes, "rule")),
    ...blocks(block(bucket.attributes, "server_side_encryption_configuration"), "rule"),
  ];
  return rules.map((r) => String(block(r, "apply_server_side_encryption_by_default")?.sse_algorithm ?? "")).filter(Boolean);
}
