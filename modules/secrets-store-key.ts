import { Construct } from "constructs";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { GeneratedSecret } from "./write-only-secret";

/** Props of {@link SecretsStoreKey}. */
export interface SecretsStoreKeyProps {
  /**
   * Name of the secret to generate (ignored with `existingSecretArn`).
   * @default none (required when generating)
   */
  readonly secretName?: string;
  /**
   * Full ARN of an existing secret holding the key (the key of the environment whose database was
   * restored, or its replica in this region): nothing is generated, and the tasks read its current value.
   * @default none (a key is generated)
   */
  readonly existingSecretArn?: string;
  /**
   * KMS key of the existing secret, when it is a customer-managed key.
   * @default none (the AWS-managed key aws/secretsmanager)
   */
  readonly existingSecretKmsKeyArn?: string;
  /**
   * KMS key that encrypts a generated secret.
   * @default none (required when generating)
   */
  readonly kmsKeyArn?: string;
  /**
   * Regions Secrets Manager keeps a read-only replica of a generated key in, each with its KMS key there.
   * @default [] (no replica)
   */
  readonly replicas?: readonly { readonly region: string; readonly kmsKeyArn: string }[];
}

/** What the stack wires from {@link secretsStoreKey}. */
export interface SecretsStoreKeyRefs {
  /** ARN of the secret (IAM, outputs). */
  readonly secretArn: string;
  /** What the task definition's `secrets` reference: the generated version (pinned) or the existing secret's bare ARN. */
  readonly valueFrom: string;
  /** KMS keys of an existing secret: the execution role decrypts with them through Secrets Manager only. */
  readonly existingKmsKeyArns: string[];
  /** The generated secret, when one was created. */
  readonly secret?: SecretsmanagerSecret;
}

/**
 * `ZENML_SECRETS_STORE_ENCRYPTION_KEY`, the key ZenML's SQL secrets store encrypts the secrets it keeps
 * in MySQL with (`src/zenml/zen_stores/secrets_stores/sql_secrets_store.py`: without a key they are
 * stored unencrypted; ZenML cannot re-encrypt them under a new key). Either generated once by Secrets
 * Manager and never rotated (a {@link GeneratedSecret} with id `id` directly in `scope`, so its
 * addresses are those of earlier releases), or, for a database restored from another environment, that
 * environment's key referenced by ARN: ECS then injects the secret's current value (`valueFrom` is the
 * bare ARN, no version pin), so nobody copies the key by hand.
 */
export function secretsStoreKey(scope: Construct, id: string, props: SecretsStoreKeyProps): SecretsStoreKeyRefs {
  if (props.existingSecretArn) {
    return {
      secretArn: props.existingSecretArn,
      valueFrom: props.existingSecretArn,
      existingKmsKeyArns: props.existingSecretKmsKeyArn ? [props.existingSecretKmsKeyArn] : [],
    };
  }
  if (!props.kmsKeyArn || !props.secretName) throw new Error(`secretsStoreKey ${scope.node.path}/${id}: secretName and kmsKeyArn are required when generating the key`);
  const generated = new GeneratedSecret(scope, id, {
    secretName: props.secretName,
    description: "ZENML_SECRETS_STORE_ENCRYPTION_KEY: encrypts the secrets ZenML keeps in MySQL; never change it",
    kmsKeyArn: props.kmsKeyArn,
    // Never rotated: one generation for the key's life.
    generation: 1,
    recoveryWindowInDays: 30,
    replicas: props.replicas,
    rotationNote:
      "ZenML cannot re-encrypt its stored secrets with a new key: this key must never rotate (a new value makes every stored ZenML secret unreadable).",
  });
  return { secretArn: generated.secret.arn, valueFrom: generated.valueFrom, existingKmsKeyArns: [], secret: generated.secret };
}
