import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";

/** Props of {@link EncryptionKey}. */
export interface EncryptionKeyProps {
  /**
   * Base name; the key gets the alias `alias/<name>`.
   * @default none (required)
   */
  readonly name: string;
  /**
   * AWS account ID that owns the key (its root principal administers it).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region of the key (scopes the CloudWatch Logs service permission).
   * @default none (required)
   */
  readonly region: string;
  /**
   * Days before a scheduled key deletion completes (7-30).
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Let CloudWatch Logs (log groups of this account and region) and CloudWatch alarms (publishing to
   * an encrypted SNS topic) use the key.
   * @default true
   */
  readonly allowLogsAndAlarms?: boolean;
  /**
   * Key description.
   * @default "<name>: RDS, secrets, logs and alarm topic encryption"
   */
  readonly description?: string;
  /**
   * Provider (region) of the key.
   * @default the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * Key administration actions granted to the account (IAM policies then decide which principals may
 * use them). Listed explicitly instead of `kms:*`: no import, signing or multi-region actions.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/** Cryptographic actions granted to the account (used through IAM and by AWS services via grants). */
export const KEY_USE_ACTIONS = [
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:RetireGrant",
];

/**
 * One customer-managed KMS key per environment, with rotation, used by RDS storage, Performance
 * Insights, the RDS-managed master secret, the OAuth2 secret, CloudWatch log groups and the alarm topic.
 */
export class EncryptionKey extends Construct {
  /** The key; use `.arn` for encryption settings. */
  public readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const { accountId, region } = props;
    const root = [{ type: "AWS", identifiers: [`arn:aws:iam::${accountId}:root`] }];
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: "AccountAdministersKey", actions: KEY_ADMIN_ACTIONS, resources: ["*"], principals: root },
      { sid: "AccountUsesKey", actions: KEY_USE_ACTIONS, resources: ["*"], principals: root },
    ];
    if (props.allowLogsAndAlarms ?? true) {
      statements.push(
        {
          sid: "CloudWatchLogsEncrypt",
          actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [`logs.${region}.amazonaws.com`] }],
          condition: [
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:logs:arn",
              values: [`arn:aws:logs:${region}:${accountId}:log-group:*`],
            },
          ],
        },
        {
          sid: "CloudWatchAlarmsPublishToEncryptedTopic",
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
        },
      );
    }
    const policy = new DataAwsIamPolicyDocument(this, "policy", { provider: props.provider, statement: statements });
    this.key = new KmsKey(this, "key", {
      provider: props.provider,
      description: props.description ?? `${props.name}: RDS, secrets, logs and alarm topic encryption`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: policy.json,
    });
    new KmsAlias(this, "alias", { provider: props.provider, name: `alias/${props.name}`, targetKeyId: this.key.keyId });
  }
}
