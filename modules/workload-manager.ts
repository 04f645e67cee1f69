import { Construct } from "constructs";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { BUCKET_EXCEPTIONS, SecureBucket } from "./secure-bucket";

/** Props of {@link AwsWorkloadManagerResources}. */
export interface AwsWorkloadManagerResourcesProps {
  /**
   * Base name (`<name>-runner` repository, `<name>-wm-logs-<account>-<region>` bucket).
   * @default none (required)
   */
  readonly name: string;
  /**
   * AWS account ID.
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region.
   * @default none (required)
   */
  readonly region: string;
  /**
   * KMS key for the bucket and the repository.
   * @default none (required)
   */
  readonly kmsKeyArn: string;
  /**
   * EKS cluster the runner pods run on; the task role may only describe this one.
   * @default none (required)
   */
  readonly eksClusterName: string;
  /**
   * Name of the ECS task role that gets the permissions.
   * @default none (required)
   */
  readonly taskRoleName: string;
  /**
   * Days run logs are kept in the bucket.
   * @default 90
   */
  readonly logRetentionDays?: number;
}

/**
 * What the guide's Option A workload manager needs on AWS: a hardened S3 bucket for run logs, an ECR
 * repository for runner images, and task-role permissions scoped to exactly those plus
 * `eks:DescribeCluster` on the named cluster. (Kubernetes RBAC for the task role is set up in the
 * cluster, e.g. with an EKS access entry; see the README.)
 */
export class AwsWorkloadManagerResources extends Construct {
  /** The run-log bucket. */
  public readonly logsBucket: SecureBucket;
  /** The runner image repository. */
  public readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: AwsWorkloadManagerResourcesProps) {
    super(scope, id);
    this.logsBucket = new SecureBucket(this, "logs", {
      bucketName: `${props.name}-wm-logs-${props.accountId}-${props.region}`,
      kmsKeyArn: props.kmsKeyArn,
      expirationDays: props.logRetentionDays ?? 90,
      suppressions: [
        {
          ruleId: "ZNBKT8",
          reason: "Run logs are read and written only by the ZenML task role; per-request audit of this bucket is left to CloudTrail S3 data events.",
        },
        BUCKET_EXCEPTIONS.noEventConsumers,
        BUCKET_EXCEPTIONS.noReplication,
      ],
    });
    this.repository = new EcrRepository(this, "runner", {
      name: `${props.name}-runner`,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.kmsKeyArn }],
    });
    new EcrLifecyclePolicy(this, "runner-lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: "Keep the 50 newest runner images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
            action: { type: "expire" },
          },
        ],
      }),
    });

    const bucketArn = this.logsBucket.bucket.arn;
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: "ListRunLogs", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [bucketArn] },
      { sid: "ReadWriteRunLogs", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${bucketArn}/*`] },
      { sid: "UseRunLogKey", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [props.kmsKeyArn] },
      // GetAuthorizationToken has no resource-level permissions: AWS only accepts "*" for it.
      { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      {
        sid: "PushPullRunnerImages",
        actions: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:CompleteLayerUpload",
          "ecr:DescribeImages",
          "ecr:DescribeRepositories",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ],
        resources: [this.repository.arn],
      },
      {
        sid: "DescribeRunnerCluster",
        actions: ["eks:DescribeCluster"],
        resources: [`arn:aws:eks:${props.region}:${props.accountId}:cluster/${props.eksClusterName}`],
      },
    ];
    const policy = new DataAwsIamPolicyDocument(this, "task-policy", { statement: statements });
    new IamRolePolicy(this, "task-role-policy", { name: "workload-manager", role: props.taskRoleName, policy: policy.json });
  }
}
