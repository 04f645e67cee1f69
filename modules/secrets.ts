import { Construct } from "constructs";
import { TerraformStack, TerraformVariable } from "cdktf";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { suppress } from "../lib/policy/suppress";
import { writeOnlyVersion } from "./write-only-secret";

/** Props of {@link ProSecret}. */
export interface ProSecretProps {
  /**
   * Name of the secret to create (the guide's `zenml/pro/oauth2-client-secret`). Ignored when
   * `existingSecretArn` is set.
   * @default none (required unless existingSecretArn is set: the resolved zenml.oauth2ClientSecretName)
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
   * @default none (required: the stack decides it per environment)
   */
  readonly recoveryWindowInDays: number;
  /**
   * Regions Secrets Manager keeps a read-only replica of a created secret in, each with its KMS key there
   * (so a restore in the DR region can reference it with `zenml.oauth2ClientSecretArn`).
   * @default [] (no replica)
   */
  readonly replicas?: readonly { readonly region: string; readonly kmsKeyArn: string }[];
  /**
   * Take the value at deploy time from an ephemeral, sensitive Terraform variable of this name (set it
   * with `TF_VAR_<name>`), written into a created secret through the write-only `secret_string_wo`:
   * one deploy brings up a working service, and the value is in no plan or state. `generation` is
   * `secret_string_wo_version`: raise it to write a new value.
   * @default none (the operator sets the value with put-secret-value)
   */
  readonly valueFromVariable?: { readonly variableName: string; readonly generation: number };
}

/**
 * The guide's Step 3: the ZenML Pro OAuth2 client secret in Secrets Manager. By default only the
 * container is created and its value is set out of band (`aws secretsmanager put-secret-value`); with
 * `valueFromVariable` the deploy writes it from an ephemeral variable. Either way it is never in code,
 * config, synthesized JSON, plan or Terraform state.
 */
export class ProSecret extends Construct {
  /** ARN of the secret (IAM, outputs). */
  public readonly secretArn: string;
  /** What the task definition's `secrets` reference: the ARN, or the ARN pinned to the version the deploy wrote. */
  public readonly valueFrom: string;
  /** KMS keys a reader needs `kms:Decrypt` on (empty for the AWS-managed key). */
  public readonly kmsKeyArns: string[];
  /** The created secret, when this construct created one. */
  public readonly secret?: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: ProSecretProps) {
    super(scope, id);
    if (props.existingSecretArn) {
      if (props.valueFromVariable) throw new Error(`ProSecret ${this.node.path}: valueFromVariable needs a secret this construct creates`);
      this.secretArn = props.existingSecretArn;
      this.valueFrom = props.existingSecretArn;
      this.kmsKeyArns = props.existingSecretKmsKeyArn ? [props.existingSecretKmsKeyArn] : [];
      return;
    }
    if (!props.kmsKeyArn) throw new Error(`ProSecret ${this.node.path}: kmsKeyArn is required when creating the secret`);
    if (!props.secretName) throw new Error(`ProSecret ${this.node.path}: secretName is required when creating the secret`);
    this.secret = new SecretsmanagerSecret(this, "oauth2-client-secret", {
      name: props.secretName,
      description: props.valueFromVariable
        ? `ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET from ZenML Pro; written at deploy from TF_VAR_${props.valueFromVariable.variableName}`
        : "ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET from ZenML Pro; set the value with put-secret-value",
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowInDays,
      replica: props.replicas?.length ? props.replicas.map((r) => ({ region: r.region, kmsKeyId: r.kmsKeyArn })) : undefined,
    });
    suppress(
      this.secret,
      "ZNSEC2",
      "The value is issued by ZenML Pro and set by the operator (put-secret-value); no rotation Lambda can re-issue it. Rotate it in ZenML Pro, then update the secret.",
    );
    this.secretArn = this.secret.arn;
    this.valueFrom = this.secret.arn;
    this.kmsKeyArns = [props.kmsKeyArn];
    const fromVariable = props.valueFromVariable;
    if (fromVariable) {
      // A root-level variable with a fixed name, so TF_VAR_<name> sets it. cdktf 0.21 has no `ephemeral`
      // setting for variables (Terraform >= 1.10): set through the escape hatch.
      const variable = new TerraformVariable(TerraformStack.of(this), "oauth2-client-secret-value", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: "ZenML Pro OAuth2 client secret (ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET); never stored in plan or state",
      });
      variable.overrideLogicalId(fromVariable.variableName);
      variable.addOverride("ephemeral", true);
      this.valueFrom = writeOnlyVersion(this, "deploy-time-value", this.secret, `\${var.${fromVariable.variableName}}`, fromVariable.generation).valueFrom;
    }
  }
}
