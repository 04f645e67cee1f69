/**
 * The checks that need AWS: the caller's account against the provider's `allowed_account_ids`, the
 * OAuth2 client secret's value (existence only; the value is never printed), and the ECR pull token.
 * Without credentials a check is "not checked" (skip), or a failure with `requireAws`.
 */
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CheckResult, redact } from "../common/checks";
import { result } from "./result";
import { PreflightStack } from "./task";

/** Whether an SDK error means "no credentials configured" (the SDK's credential chain found none). */
export function isMissingCredentials(e: unknown): boolean {
  const err = e as { name?: string; message?: string };
  return err?.name === "CredentialsProviderError" || /Could not load credentials from any providers/.test(err?.message ?? "");
}

/** The SDK error's name and message (never a request's content). */
export const errorText = (e: unknown) => `${(e as Error).name ?? "Error"}: ${(e as Error).message}`;

/** A check that could not run for lack of AWS credentials: skip, or fail with --require-aws. */
export function noCredentials(id: string, title: string, needs: string, requireAws: boolean): CheckResult {
  return requireAws
    ? result(id, title, "fail", `no AWS credentials (${needs}) and --require-aws is set`, [], {
        cause: "--require-aws makes an unchecked AWS check a failure",
        fix: "run with AWS credentials for the stack's account (AWS_PROFILE, SSO or an OIDC role)",
      })
    : result(id, title, "skip", `no AWS credentials: ${needs}`);
}

/** The caller's account is in the provider's allowed_account_ids. */
export async function checkAccount(stack: PreflightStack, sts: STSClient, requireAws: boolean): Promise<CheckResult> {
  const id = "aws-account";
  const title = "AWS account";
  let account: string | undefined;
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (e) {
    if (isMissingCredentials(e)) return noCredentials(id, title, "sts:GetCallerIdentity", requireAws);
    return result(id, title, "fail", `sts:GetCallerIdentity failed: ${errorText(e)}`, [], { cause: "the credentials do not work", fix: "check the AWS credentials (expired session, wrong profile)" });
  }
  const allowed = stack.allowedAccountIds;
  if (!allowed) return result(id, title, "pass", `caller account ${account}; the stack allows any account (no allowedAccountIds)`);
  if (account && allowed.includes(account)) return result(id, title, "pass", `caller account ${account} is in allowedAccountIds [${allowed.join(", ")}]`);
  return result(id, title, "fail", `caller account ${account ?? "(unknown)"} is not in allowedAccountIds [${allowed.join(", ")}]: terraform refuses to plan`, [], {
    cause: "terraform stops before planning (the provider's allowed_account_ids)",
    fix: `use credentials of account ${allowed.join(" or ")}, or add ${account} to allowedAccountIds in the environment file`,
  });
}

/** The name of a Secrets Manager "not found" error. */
const NOT_FOUND = "ResourceNotFoundException";

/**
 * The OAuth2 client secret will have a value when the server starts: the deploy-time variable is set,
 * or an existing secret has a current value. The value is read only to see that it is not empty, and
 * never printed: every message is also passed through `redact` with the values seen.
 */
export async function checkOAuth2Secret(
  stack: PreflightStack,
  sm: SecretsManagerClient,
  env: NodeJS.ProcessEnv,
  requireAws: boolean,
): Promise<CheckResult> {
  const seen: string[] = [];
  const r = await oauth2SecretResult(stack, sm, env, requireAws, seen);
  const clean = (t: string) => redact(t, seen);
  return {
    ...r,
    summary: clean(r.summary),
    evidence: r.evidence.map(clean),
    ...(r.diagnoses ? { diagnoses: r.diagnoses.map((d) => ({ ...d, cause: clean(d.cause), fix: clean(d.fix) })) } : {}),
  };
}

async function oauth2SecretResult(stack: PreflightStack, sm: SecretsManagerClient, env: NodeJS.ProcessEnv, requireAws: boolean, seen: string[]): Promise<CheckResult> {
  const id = "oauth2-secret";
  const title = "OAuth2 client secret";
  const source = stack.oauth2Secret;
  if (source.kind === "unknown") {
    return result(id, title, "skip", `the server's ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET is ${source.valueFrom ? `computed (${source.valueFrom})` : "not set from a secret"}`);
  }
  if (source.kind === "variable") {
    const name = `TF_VAR_${source.variable}`;
    const value = env[name];
    if (value) seen.push(value);
    if (value && value.trim()) return result(id, title, "pass", `${name} is set; the deploy writes it to ${source.name} (write-only)`);
    return result(id, title, "fail", `the stack writes ${source.name} from var.${source.variable}, but ${name} is ${value === undefined ? "not set" : "empty"}`, [], {
      cause: "terraform cannot deploy without the variable (nullable = false)",
      fix: `read -rs ${name}; export ${name} (CI: a masked secret), then deploy`,
    });
  }
  const secretId = source.kind === "existing" ? source.arn : source.name;
  let stages: Record<string, string[]> | undefined;
  let deleted: Date | undefined;
  try {
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    stages = described.VersionIdsToStages;
    deleted = described.DeletedDate;
  } catch (e) {
    if (isMissingCredentials(e)) return noCredentials(id, title, "secretsmanager:DescribeSecret", requireAws);
    if ((e as Error).name === NOT_FOUND) {
      if (source.kind === "created") {
        return result(id, title, "pass", `${secretId} does not exist yet: this deploy creates it`, ["set its value after the deploy (README, Deploy step 4); npm run verify checks it"]);
      }
      return result(id, title, "fail", `the existing secret ${secretId} (zenml.oauth2ClientSecretArn) was not found`, [], {
        cause: "ECS cannot inject the secret: the tasks fail with ResourceInitializationError",
        fix: "create the secret with the client secret from ZenML Pro, or correct zenml.oauth2ClientSecretArn",
      });
    }
    return result(id, title, "fail", `secretsmanager:DescribeSecret ${secretId}: ${errorText(e)}`, [], {
      cause: "the secret could not be inspected",
      fix: "allow secretsmanager:DescribeSecret and GetSecretValue on the secret to the deploying role",
    });
  }
  if (deleted) {
    return result(id, title, "fail", `${secretId} is scheduled for deletion (since ${deleted.toISOString()})`, [], {
      cause: "the server cannot read a deleted secret, and Terraform cannot create a secret of the same name until it is gone",
      fix: `aws secretsmanager restore-secret --secret-id ${secretId}`,
    });
  }
  const current = Object.values(stages ?? {}).some((s) => s.includes("AWSCURRENT"));
  const putValue = {
    cause: "the server cannot authenticate to the ZenML control plane without the OAuth2 client secret",
    fix: `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string "$ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET"` };
  if (!current) return result(id, title, "fail", `${secretId} exists but has no current value (no AWSCURRENT version): the server cannot start`, [], putValue);
  try {
    const v = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (v.SecretString) seen.push(v.SecretString);
    const present = (v.SecretString !== undefined && v.SecretString.trim() !== "") || (v.SecretBinary !== undefined && v.SecretBinary.length > 0);
    if (present) return result(id, title, "pass", `${secretId} has a current value (not shown)`);
    return result(id, title, "fail", `${secretId}'s current value is empty`, [], putValue);
  } catch (e) {
    if ((e as Error).name === NOT_FOUND) return result(id, title, "fail", `${secretId} exists but has no current value`, [], putValue);
    // DescribeSecret showed an AWSCURRENT version; the value itself may be unreadable to this role (KMS, policy).
    return result(id, title, "pass", `${secretId} has a current version (its value was not readable: ${(e as Error).name})`);
  }
}

/** Docker credentials for an ECR registry from `ecr:GetAuthorizationToken` (user `AWS`, password the token). */
export async function ecrCredentials(ecr: ECRClient, accountId: string): Promise<{ username: string; password: string }> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({ registryIds: [accountId] }));
  const token = out.authorizationData?.[0]?.authorizationToken;
  if (!token) throw new Error("ecr:GetAuthorizationToken returned no token");
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i < 0) throw new Error("ecr:GetAuthorizationToken returned a token that is not user:password");
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
