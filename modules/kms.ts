import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
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
}

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
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        {
          sid: "AccountAdministers",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${accountId}:root`] }],
        },
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
      ],
    });
    this.key = new KmsKey(this, "key", {
      description: `${props.name}: RDS, secrets, logs and alarm topic encryption`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: policy.json,
    });
    new KmsAlias(this, "alias", { name: `alias/${props.name}`, targetKeyId: this.key.keyId });
  }
}
