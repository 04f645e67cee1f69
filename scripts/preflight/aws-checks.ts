/**
 * The checks that need AWS: the caller's account against the provider's `allowed_account_ids`, the
 * OAuth2 client secret's value (existence only; the value is never printed), and the ECR pull token.
 * Without credentials a check is "not checked" (skip), or a failure with `requireAws`.
 */
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CheckResult } from "../common/checks";
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
  const evidence = [`no AWS credentials: ${needs}`];
  return requireAws
    ? { id, title, status: "fail", evidence: [...evidence, "--require-aws is set"], fix: "run with AWS credentials for the stack's account (AWS_PROFILE, SSO or an OIDC role)" }
    : { id, title, status: "skip", evidence };
}

/** The caller's account is in the provider's allowed_account_ids. */
export async function checkAccount(stack: PreflightStack, sts: STSClient, requireAws: boolean): Promise<CheckResult> {
  const id = "aws-account";
  const title = "The AWS credentials belong to an allowed account";
  let account: string | undefined;
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (e) {
    if (isMissingCredentials(e)) return noCredentials(id, title, "sts:GetCallerIdentity", requireAws);
    return { id, title, status: "fail", evidence: [`sts:GetCallerIdentity failed: ${errorText(e)}`], fix: "check the AWS credentials (expired session, wrong profile)" };
  }
  const allowed = stack.allowedAccountIds;
  if (!allowed) return { id, title, status: "pass", evidence: [`caller account ${account}`, "the stack allows any account (no allowedAccountIds)"] };
  if (account && allowed.includes(account)) return { id, title, status: "pass", evidence: [`caller account ${account} is in allowedAccountIds [${allowed.join(", ")}]`] };
  return {
    id,
    title,
    status: "fail",
    evidence: [`caller account ${account ?? "(unknown)"} is not in allowedAccountIds [${allowed.join(", ")}]: terraform refuses to plan`],
    fix: `use credentials of account ${allowed.join(" or ")}, or add ${account} to allowedAccountIds in the environment file`,
  };
}

/** The name of a Secrets Manager "not found" error. */
const NOT_FOUND = "ResourceNotFoundException";

/**
 * The OAuth2 client secret will have a value when the server starts: the deploy-time variable is set,
 * or an existing secret has a current value. The value is read only to see that it is not empty, and
 * is never printed.
 */
export async function checkOAuth2Secret(
  stack: PreflightStack,
  sm: SecretsManagerClient,
  env: NodeJS.ProcessEnv,
  requireAws: boolean,
): Promise<CheckResult> {
  const id = "oauth2-secret";
  const title = "The OAuth2 client secret has a value";
  const source = stack.oauth2Secret;
  if (source.kind === "unknown") {
    return { id, title, status: "skip", evidence: [`the server container's ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET is ${source.valueFrom ? `computed (${source.valueFrom})` : "not set from a secret"}`] };
  }
  if (source.kind === "variable") {
    const value = env[`TF_VAR_${source.variable}`];
    if (value && value.trim()) return { id, title, status: "pass", evidence: [`TF_VAR_${source.variable} is set; the deploy writes it to ${source.name} (write-only)`] };
    return {
      id,
      title,
      status: "fail",
      evidence: [`the stack writes the secret ${source.name} from var.${source.variable}, but TF_VAR_${source.variable} is ${value === undefined ? "not set" : "empty"}`],
      fix: `read -rs TF_VAR_${source.variable}; export TF_VAR_${source.variable} (CI: a masked secret), then deploy`,
    };
  }
  const secretId = source.kind === "existing" ? source.arn : source.name;
  let stages: Record<string, string[]> | undefined;
  try {
    stages = (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages;
  } catch (e) {
    if (isMissingCredentials(e)) return noCredentials(id, title, "secretsmanager:DescribeSecret", requireAws);
    if ((e as Error).name === NOT_FOUND) {
      if (source.kind === "created") {
        return { id, title, status: "pass", evidence: [`${secretId} does not exist yet: this deploy creates it; set its value afterwards (README, Deploy step 4) and npm run verify checks it`] };
      }
      return { id, title, status: "fail", evidence: [`the existing secret ${secretId} (zenml.oauth2ClientSecretArn) was not found`], fix: "create the secret with the client secret from ZenML Pro, or correct zenml.oauth2ClientSecretArn" };
    }
    return { id, title, status: "fail", evidence: [`secretsmanager:DescribeSecret ${secretId}: ${errorText(e)}`], fix: "allow secretsmanager:DescribeSecret and GetSecretValue on the secret to the deploying role" };
  }
  const current = Object.values(stages ?? {}).some((s) => s.includes("AWSCURRENT"));
  const putValue = `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string "$ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET"`;
  if (!current) return { id, title, status: "fail", evidence: [`${secretId} exists but has no current value (no AWSCURRENT version): the server cannot start`], fix: putValue };
  try {
    const v = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
    const present = (v.SecretString !== undefined && v.SecretString.trim() !== "") || (v.SecretBinary !== undefined && v.SecretBinary.length > 0);
    if (present) return { id, title, status: "pass", evidence: [`${secretId} has a current value (not shown)`] };
    return { id, title, status: "fail", evidence: [`${secretId}'s current value is empty`], fix: putValue };
  } catch (e) {
    if ((e as Error).name === NOT_FOUND) return { id, title, status: "fail", evidence: [`${secretId} exists but has no current value`], fix: putValue };
    // DescribeSecret showed an AWSCURRENT version; the value itself may be unreadable to this role (KMS, policy).
    return { id, title, status: "pass", evidence: [`${secretId} has a current version (its value was not readable: ${(e as Error).name})`] };
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
