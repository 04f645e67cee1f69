import { Construct } from "constructs";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { suppress } from "../lib/policy/suppress";

/** Props of {@link ProSecret}. */
export interface ProSecretProps {
  /**
   * Name of the secret to create (the guide's `zenml/pro/oauth2-client-secret`). Ignored when
   * `existingSecretArn` is set.
   * @default "zenml/pro/oauth2-client-secret"
   */
  readonly secretName?: string;
  /**
   * ARN of an existing secret to use instead of creating one.
   * @default none (a secret is created)
   */
  readonly existingSecretArn?: string;
  /**
   * KMS key of the existing secret, when it is a customer-managed key.
   * @default none
   */
  readonly existingSecretKmsKeyArn?: string;
  /**
   * KMS key that encrypts a created secret.
   * @default none (required when creating)
   */
  readonly kmsKeyArn?: string;
  /**
   * Days Secrets Manager keeps a deleted secret recoverable (0 deletes at once, 7-30 otherwise).
   * @default 30
   */
  readonly recoveryWindowInDays?: number;
}

/**
 * The guide's Step 3: the ZenML Pro OAuth2 client secret in Secrets Manager. Only the container is
 * created here; its value is set out of band (`aws secretsmanager put-secret-value`), so it is never
 * in code, config, synthesized JSON or Terraform state.
 */
export class ProSecret extends Construct {
  /** ARN to reference from the task definition's `secrets`. */
  public readonly secretArn: string;
  /** KMS keys a reader needs `kms:Decrypt` on (empty for the AWS-managed key). */
  public readonly kmsKeyArns: string[];
  /** The created secret, when this construct created one. */
  public readonly secret?: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: ProSecretProps) {
    super(scope, id);
    if (props.existingSecretArn) {
      this.secretArn = props.existingSecretArn;
      this.kmsKeyArns = props.existingSecretKmsKeyArn ? [props.existingSecretKmsKeyArn] : [];
      return;
    }
    if (!props.kmsKeyArn) throw new Error(`ProSecret ${this.node.path}: kmsKeyArn is required when creating the secret`);
    this.secret = new SecretsmanagerSecret(this, "oauth2-client-secret", {
      name: props.secretName ?? "zenml/pro/oauth2-client-secret",
      description: "ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET from ZenML Pro; set the value with put-secret-value",
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowInDays ?? 30,
    });
    suppress(
      this.secret,
      "ZNSEC2",
      "The value is issued by ZenML Pro and set by the operator (put-secret-value); no rotation Lambda can re-issue it. Rotate it in ZenML Pro, then update the secret.",
    );
    this.secretArn = this.secret.arn;
    this.kmsKeyArns = [props.kmsKeyArn];
  }
}
