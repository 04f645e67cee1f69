import { Construct } from "constructs";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { suppress } from "../lib/policy/suppress";

/** Props of {@link GeneratedSecret}. */
export interface GeneratedSecretProps {
  /**
   * Secret name.
   * @default none (required)
   */
  readonly secretName: string;
  /**
   * What the secret is for (the secret's description).
   * @default none (required)
   */
  readonly description: string;
  /**
   * KMS key that encrypts the secret.
   * @default none (required)
   */
  readonly kmsKeyArn: string;
  /**
   * Generation of the value: Terraform writes a new random value only when this number changes.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly generation: number;
  /**
   * Length of the generated value.
   * @default 64
   */
  readonly length?: number;
  /**
   * Days Secrets Manager keeps a deleted secret recoverable (0 deletes at once, 7-30 otherwise).
   * @default none (required: the stack decides it per environment)
   */
  readonly recoveryWindowInDays: number;
  /**
   * Why the secret is not rotated by Secrets Manager (recorded as the ZNSEC2 policy exception).
   * @default none (required)
   */
  readonly rotationNote: string;
  /**
   * Regions Secrets Manager keeps a read-only replica of the secret in, each with its KMS key there.
   * @default [] (no replica)
   */
  readonly replicas?: readonly { readonly region: string; readonly kmsKeyArn: string }[];
}

/**
 * A secret version whose value Terraform writes through the write-only argument `secret_string_wo`
 * (Terraform >= 1.11, hashicorp/aws >= 5.83): the value (an ephemeral variable or ephemeral resource
 * attribute, `valueExpression`) is in no plan or state. Terraform writes it again only when
 * `generation` (`secret_string_wo_version`) changes. cdktf 0.21 has no write-only arguments, so they
 * are set with the escape hatch.
 * @returns the version and the ECS `valueFrom` pinned to it (`<arn>:::<version-id>`), so a new
 *   generation changes the task definition and rolls the tasks.
 */
export function writeOnlyVersion(
  scope: Construct,
  id: string,
  secret: SecretsmanagerSecret,
  valueExpression: string,
  generation: number,
): { version: SecretsmanagerSecretVersion; valueFrom: string } {
  const version = new SecretsmanagerSecretVersion(scope, id, { secretId: secret.id });
  version.addOverride("secret_string_wo", valueExpression);
  version.addOverride("secret_string_wo_version", generation);
  return { version, valueFrom: `${secret.arn}:::${version.versionId}` };
}

/**
 * A Secrets Manager secret whose value Terraform generates but never sees in state or plan: the
 * value comes from the ephemeral resource `aws_secretsmanager_random_password` (Secrets Manager's
 * `GetRandomPassword`, written with the escape hatch: cdktf 0.21 has no class for ephemeral resources)
 * and reaches the secret through {@link writeOnlyVersion}. It is written again only when `generation`
 * changes, so it is stable across deploys.
 */
export class GeneratedSecret extends Construct {
  /** The secret. */
  public readonly secret: SecretsmanagerSecret;
  /** The version Terraform wrote. */
  public readonly version: SecretsmanagerSecretVersion;
  /** ECS `valueFrom` pinned to the written version (`<arn>:::<version-id>`): a new generation changes the task definition. */
  public readonly valueFrom: string;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, "secret", {
      name: props.secretName,
      description: props.description,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowInDays,
      replica: props.replicas?.length ? props.replicas.map((r) => ({ region: r.region, kmsKeyId: r.kmsKeyArn })) : undefined,
    });
    suppress(this.secret, "ZNSEC2", props.rotationNote);
    const ephemeralName = `${this.secret.friendlyUniqueId}_value`;
    this.secret.cdktfStack.addOverride(`ephemeral.aws_secretsmanager_random_password.${ephemeralName}`, {
      password_length: props.length ?? 64,
      exclude_punctuation: true,
    });
    const written = writeOnlyVersion(
      this,
      "version",
      this.secret,
      `\${ephemeral.aws_secretsmanager_random_password.${ephemeralName}.random_password}`,
      props.generation,
    );
    this.version = written.version;
    this.valueFrom = written.valueFrom;
  }
}
