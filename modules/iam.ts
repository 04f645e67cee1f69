import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { serviceTrustPolicy } from "../lib/trust-policy";

/** Props of {@link TaskRoles}. */
export interface TaskRolesProps {
  /**
   * Base name of the roles (`<name>-task-execution`, `<name>-task`).
   * @default none (required)
   */
  readonly name: string;
  /**
   * AWS account ID (scopes the trust policy to this account's ECS tasks).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region (scopes the trust policy).
   * @default none (required)
   */
  readonly region: string;
  /**
   * Secret ARNs the execution role may read to inject `secrets` into containers.
   * @default none (required)
   */
  readonly secretArns: string[];
  /**
   * KMS keys that encrypt those secrets.
   * @default none (required)
   */
  readonly kmsKeyArns: string[];
  /**
   * KMS keys of secrets this stack does not manage (their ARNs come from config): `kms:Decrypt` only
   * when Secrets Manager of this region calls KMS on the role's behalf (`kms:ViaService`).
   * @default []
   */
  readonly secretsManagerOnlyKmsKeyArns?: string[];
  /**
   * ARN of the container log group.
   * @default none (required)
   */
  readonly logGroupArn: string;
}

/**
 * The guide's Step 4 roles: a task execution role (AmazonECSTaskExecutionRolePolicy plus an inline
 * policy scoped to the exact secrets, their KMS keys and the log group) and a separate, empty task
 * role for application permissions.
 */
export class TaskRoles extends Construct {
  /** Role ECS uses to pull images, read secrets and write logs. */
  public readonly executionRole: IamRole;
  /** Role the ZenML server process runs as. */
  public readonly taskRole: IamRole;

  constructor(scope: Construct, id: string, props: TaskRolesProps) {
    super(scope, id);
    // ECS: aws:SourceArn is the ARN of the task or service in this account and region (Amazon ECS
    // developer guide, "Task IAM role": confused deputy prevention).
    const assume = serviceTrustPolicy(this, "assume", "ecs-tasks.amazonaws.com", {
      accountId: props.accountId,
      sourceArn: `arn:aws:ecs:${props.region}:${props.accountId}:*`,
    });
    this.executionRole = new IamRole(this, "execution", {
      name: `${props.name}-task-execution`,
      description: "ECS task execution role: image pull, secrets injection, logs",
      assumeRolePolicy: assume,
    });
    new IamRolePolicyAttachment(this, "execution-managed", {
      role: this.executionRole.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    });
    const inline = new DataAwsIamPolicyDocument(this, "execution-inline", {
      statement: [
        { sid: "ReadTaskSecrets", actions: ["secretsmanager:GetSecretValue"], resources: props.secretArns },
        ...(props.kmsKeyArns.length > 0
          ? [{ sid: "DecryptTaskSecrets", actions: ["kms:Decrypt"], resources: props.kmsKeyArns }]
          : []),
        ...(props.secretsManagerOnlyKmsKeyArns?.length
          ? [
              {
                sid: "DecryptReferencedSecrets",
                actions: ["kms:Decrypt"],
                resources: props.secretsManagerOnlyKmsKeyArns,
                condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${props.region}.amazonaws.com`] }],
              },
            ]
          : []),
        {
          sid: "WriteContainerLogs",
          actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [props.logGroupArn, `${props.logGroupArn}:log-stream:*`],
        },
      ],
    });
    new IamRolePolicy(this, "execution-inline-policy", {
      name: "secrets-and-logs",
      role: this.executionRole.id,
      policy: inline.json,
    });
    this.taskRole = new IamRole(this, "task", {
      name: `${props.name}-task`,
      description: "ZenML server application role (no permissions by default)",
      assumeRolePolicy: assume,
    });
  }
}
