/**
 * Runs every preflight check of one stack: the image (read from its registry) against the task, then
 * the AWS account and the OAuth2 client secret.
 */
import { ECRClient } from "@aws-sdk/client-ecr";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { CheckResult } from "../common/checks";
import { ImageConfig, ImageRef, RegistryError, ecrRegistry, fetchImageConfig, parseImageRef, registryBaseUrl } from "../common/oci-registry";
import { checkAccount, checkOAuth2Secret, ecrCredentials, errorText, isMissingCredentials, noCredentials } from "./aws-checks";
import { IMAGE_CHECKS, IMAGE_CHECK_TITLES, checkCommand, checkMounts, checkPort, checkUser, checkVersion } from "./image-checks";
import { result } from "./result";
import { PreflightStack } from "./task";

/** Options of {@link runPreflight}. */
export interface PreflightOptions {
  /** Checks that need AWS fail instead of "not checked" without credentials. */
  readonly requireAws: boolean;
  /** Make no AWS call: the checks that need one are "not checked (--offline)". @default false */
  readonly offline?: boolean;
  /** Environment (TF_VAR_* of a deploy-time secret). */
  readonly env: NodeJS.ProcessEnv;
  /** fetch for registry requests (tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The image checks that need the config, as "not checked" when it could not be read. */
function notRead(reason: string): CheckResult[] {
  return Object.values(IMAGE_CHECKS)
    .filter((id) => id !== IMAGE_CHECKS.config)
    .map((id) => result(id, IMAGE_CHECK_TITLES[id], "skip", reason));
}

/** What a registry failure means for the deploy. */
const REGISTRY_CAUSES: Record<RegistryError["kind"], string> = {
  unauthorized: "ECS cannot pull the image with these rights (CannotPullContainerError)",
  "not-found": "ECS cannot pull the image (CannotPullContainerError)",
  unreachable: "the registry could not be reached, so nothing about the image is known",
  protocol: "the image could not be read, so nothing about it is known",
};

const REGISTRY_FIXES: Record<RegistryError["kind"], (ref: ImageRef) => string> = {
  unauthorized: (ref) =>
    ecrRegistry(ref.registry)
      ? `these credentials may not pull from ${ref.registry}: ZenML grants pull access to the ZenML Pro repository per AWS account (ECS pulls with the task execution role, which needs the same access)`
      : `the registry refuses these credentials or anonymous pulls: use a public image or an ECR copy of it`,
  "not-found": (ref) => `${ref.repository}:${ref.tag ?? ref.digest} is not in ${ref.registry}: check zenml.version (the tag) and zenml.image`,
  unreachable: (ref) => `${registryBaseUrl(ref.registry)} cannot be reached from here: check the network (the tasks pull through the NAT gateway)`,
  protocol: () => "the registry's answer is not a readable OCI/Docker v2 image: check the image reference",
};

/** Reads the image config and checks it against the server container. */
export async function imageChecks(stack: PreflightStack, opts: PreflightOptions): Promise<CheckResult[]> {
  const server = stack.server;
  const id = IMAGE_CHECKS.config;
  const title = IMAGE_CHECK_TITLES[id];
  const notReadYet = notRead("the image configuration was not read");
  if (server.image.includes("${")) {
    const reason = `the image reference is computed by Terraform (${server.image}): preflight reads only literal references`;
    return [result(id, title, "skip", reason), ...notRead(reason)];
  }
  let ref: ImageRef;
  try {
    ref = parseImageRef(server.image);
  } catch (e) {
    return [result(id, title, "fail", (e as Error).message, [], { cause: "ECS cannot pull an invalid reference", fix: "correct zenml.image / zenml.version" }), ...notRead("the image reference is invalid")];
  }
  let credentials: { username: string; password: string } | undefined;
  const ecr = ecrRegistry(ref.registry);
  if (ecr && opts.offline) {
    const reason = `not checked (--offline): reading ${ref.registry} needs an ECR token (ecr:GetAuthorizationToken)`;
    return [result(id, title, "skip", reason), ...notRead(reason)];
  }
  if (ecr) {
    try {
      credentials = await ecrCredentials(new ECRClient({ region: ecr.region }), ecr.accountId);
    } catch (e) {
      if (isMissingCredentials(e)) return [noCredentials(id, title, `reading ${ref.registry} needs ecr:GetAuthorizationToken`, opts.requireAws), ...notReadYet];
      return [
        result(id, title, "fail", `ecr:GetAuthorizationToken (${ecr.region}) failed: ${errorText(e)}`, [], {
          cause: "the ECR image could not be read",
          fix: "allow ecr:GetAuthorizationToken to these credentials",
        }),
        ...notReadYet,
      ];
    }
  }
  const platform = `${server.platform.os}/${server.platform.architecture}`;
  const evidence: string[] = [`${server.image} from ${registryBaseUrl(ref.registry)}${ecr ? " (ECR token)" : ""}`];
  let config: ImageConfig;
  try {
    const got = await fetchImageConfig(ref, { platform: server.platform, credentials, fetch: opts.fetch });
    config = got.config;
    evidence.push(got.indexDigest ? `index ${got.indexDigest} → ${platform} manifest ${got.manifestDigest}` : `manifest ${got.manifestDigest}`);
    evidence.push(`config ${got.configDigest} (digest verified)`);
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    return [result(id, title, "fail", e.message, evidence, { cause: REGISTRY_CAUSES[e.kind], fix: REGISTRY_FIXES[e.kind](ref) }), ...notReadYet];
  }
  const built = `${config.os ?? "?"}/${config.architecture ?? "?"}`;
  const platformOk = (!config.os || config.os === server.platform.os) && (!config.architecture || config.architecture === server.platform.architecture);
  const first = platformOk
    ? result(id, title, "pass", `read ${server.image} (${built}, digests verified)`, evidence)
    : result(id, title, "fail", `the image is built for ${built}, the task runs ${platform}`, evidence, {
          cause: "the task fails with exec format error",
          fix: "use an image (or a multi-platform index) for the task's platform",
        });
  return [first, checkPort(server, config), checkCommand(server, config), checkUser(server, config), checkMounts(server, config), checkVersion(ref, config)];
}

/** Every check of a stack, in report order. */
export async function runPreflight(stack: PreflightStack, opts: PreflightOptions): Promise<CheckResult[]> {
  const region = stack.region ?? opts.env.AWS_REGION;
  const offline = (id: string, title: string) => Promise.resolve(result(id, title, "skip", "not checked (--offline)"));
  // A deploy-time variable needs no AWS call: it is checked offline too.
  const secretOffline = opts.offline && stack.oauth2Secret.kind !== "variable";
  const [image, account, secret] = await Promise.all([
    imageChecks(stack, opts),
    opts.offline ? offline("aws-account", "AWS account") : checkAccount(stack, new STSClient({ region }), opts.requireAws),
    secretOffline ? offline("oauth2-secret", "OAuth2 client secret") : checkOAuth2Secret(stack, new SecretsManagerClient({ region }), opts.env, opts.requireAws),
  ]);
  return [...image, account, secret];
}

