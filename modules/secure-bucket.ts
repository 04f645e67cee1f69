import { Construct } from "constructs";
import { ITerraformDependable, TerraformProvider } from "cdktf";
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { suppress } from "../lib/policy/suppress";
import { PolicySuppression } from "../lib/policy/types";

/** Where a bucket's S3 server access logs go. */
export interface AccessLogTarget {
  /** Name (id) of the log bucket; its policy must allow `logging.s3.amazonaws.com` (see {@link serverAccessLogDelivery}). */
  readonly bucket: string;
  /** Key prefix of this bucket's logs, ending with `/`. */
  readonly prefix: string;
  /** What must exist first (the log bucket's policy that admits the logging service). */
  readonly dependsOn?: ITerraformDependable[];
}

/** Standard reasons for suppressions that apply to most buckets of this project. */
export const BUCKET_EXCEPTIONS = {
  /** ZNBKT9: nothing reacts to object events in these buckets. */
  noEventConsumers: {
    ruleId: "ZNBKT9",
    reason: "No consumer reacts to object events in this bucket; object-level activity is audited through access logs and CloudTrail instead.",
  },
  /** ZNBKT10: no second region is managed by this project. */
  noReplication: {
    ruleId: "ZNBKT10",
    reason: "Single-region deployment; the bucket is versioned, and a replica needs a bucket in a second region this project does not manage.",
  },
} satisfies Record<string, PolicySuppression>;

/** Props of {@link SecureBucket}. */
export interface SecureBucketProps {
  /**
   * Bucket name (globally unique).
   * @default none (required)
   */
  readonly bucketName: string;
  /**
   * KMS key ARN for SSE-KMS; when omitted the bucket uses SSE-S3 (AES256), which is what ALB
   * access-log delivery requires.
   * @default SSE-S3
   */
  readonly kmsKeyArn?: string;
  /**
   * Expire current objects after this many days (noncurrent versions after 30 more).
   * @default never expire
   */
  readonly expirationDays?: number;
  /**
   * Extra bucket-policy statements (e.g. log delivery), given the bucket ARN; a TLS-only deny is
   * always added.
   * @default no extra statements
   */
  readonly policyStatements?: (bucketArn: string) => DataAwsIamPolicyDocumentStatement[];
  /**
   * Keep Terraform from destroying the bucket (lifecycle.prevent_destroy).
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Let `destroy` delete a non-empty bucket.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * Provider (region) of the bucket's resources.
   * @default the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Send S3 server access logs of this bucket to a log bucket.
   * @default no server access logging (policy rule ZNBKT8 then needs a suppression)
   */
  readonly accessLogs?: AccessLogTarget;
  /**
   * Policy exceptions for the bucket, each with its reason (e.g. {@link BUCKET_EXCEPTIONS}).
   * @default none
   */
  readonly suppressions?: readonly PolicySuppression[];
}

/**
 * An S3 bucket hardened the way scanners expect: versioning, default encryption, all public access
 * blocked, bucket-owner-enforced ownership, a TLS-only bucket policy and optional expiry.
 */
export class SecureBucket extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** The bucket policy (depend on it before delivering to the bucket). */
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const provider = props.provider;
    this.bucket = new S3Bucket(this, "bucket", {
      provider,
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;
    for (const { ruleId, reason } of props.suppressions ?? []) suppress(this.bucket, ruleId, reason);
    if (props.accessLogs) {
      new S3BucketLoggingA(this, "access-logging", {
        provider,
        bucket,
        targetBucket: props.accessLogs.bucket,
        targetPrefix: props.accessLogs.prefix,
        dependsOn: props.accessLogs.dependsOn,
      });
    }
    new S3BucketVersioningA(this, "versioning", {
      provider,
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      provider,
      bucket,
      rule: [
        props.kmsKeyArn
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      provider,
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      provider,
      bucket,
      rule: [
        {
          id: "expire",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          ...(props.expirationDays ? { expiration: [{ days: props.expirationDays }] } : {}),
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
        },
      ],
    });
    // Grants first, then the TLS-only deny (moto 5.2 validates logging targets statement by statement
    // and fails on a string Principal before it reaches the log-delivery grant; AWS does not care).
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      provider,
      statement: [
        ...(props.policyStatements?.(this.bucket.arn) ?? []),
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          principals: [{ type: "*", identifiers: ["*"] }],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    this.policy = new S3BucketPolicy(this, "bucket-policy", {
      provider,
      bucket,
      policy: policy.json,
      dependsOn: [publicAccess],
    });
  }
}

/**
 * Bucket-policy statement that lets S3 server access logging of `sourceBucketArns` (in `accountId`)
 * write into the log bucket `logBucketArn`.
 */
export function serverAccessLogDelivery(logBucketArn: string, accountId: string, sourceBucketArns: string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "S3ServerAccessLogDelivery",
    actions: ["s3:PutObject"],
    resources: [`${logBucketArn}/*`],
    principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
    condition: [
      { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
      { test: "ArnLike", variable: "aws:SourceArn", values: sourceBucketArns },
    ],
  };
}
