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
import { IMAGE_CHECKS, checkCommand, checkMounts, checkPort, checkUser, checkVersion } from "./image-checks";
import { PreflightStack } from "./task";

/** Options of {@link runPreflight}. */
export interface PreflightOptions {
  /** Checks that need AWS fail instead of "not checked" without credentials. */
  readonly requireAws: boolean;
  /** Environment (TF_VAR_* of a deploy-time secret). */
  readonly env: NodeJS.ProcessEnv;
  /** fetch for registry requests (tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Timeout per registry request (ms). @default 20000 */
  readonly registryTimeoutMs?: number;
}

const dependentTitles = (port: number): Record<string, string> => ({
  [IMAGE_CHECKS.port]: `The image exposes the container port ${port}`,
  [IMAGE_CHECKS.command]: "The server command listens on the container port",
  [IMAGE_CHECKS.user]: "The server runs as a non-root user",
  [IMAGE_CHECKS.mounts]: "No writable mount hides the image's HOME or a PATH entry",
  [IMAGE_CHECKS.version]: "The image's declared version matches its tag",
});

/** The image checks that need the config, as "not checked" when it could not be read. */
function notRead(reason: string, port: number): CheckResult[] {
  return Object.entries(dependentTitles(port)).map(([id, title]) => ({ id, title, status: "skip", evidence: [reason] }));
}

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
  const title = `The image's configuration is readable from its registry (${server.platform.os}/${server.platform.architecture})`;
  if (server.image.includes("${")) {
    const reason = `the image reference is computed by Terraform (${server.image}): preflight reads only literal references`;
    return [{ id, title, status: "skip", evidence: [reason] }, ...notRead(reason, server.port)];
  }
  let ref: ImageRef;
  try {
    ref = parseImageRef(server.image);
  } catch (e) {
    return [{ id, title, status: "fail", evidence: [(e as Error).message], fix: "correct zenml.image / zenml.version" }, ...notRead("the image reference is invalid", server.port)];
  }
  let credentials: { username: string; password: string } | undefined;
  const ecr = ecrRegistry(ref.registry);
  if (ecr) {
    try {
      credentials = await ecrCredentials(new ECRClient({ region: ecr.region }), ecr.accountId);
    } catch (e) {
      if (isMissingCredentials(e)) {
        return [noCredentials(id, title, `reading ${ref.registry} needs ecr:GetAuthorizationToken`, opts.requireAws), ...notRead("the image configuration was not read", server.port)];
      }
      return [
        { id, title, status: "fail", evidence: [`ecr:GetAuthorizationToken (${ecr.region}) failed: ${errorText(e)}`], fix: "allow ecr:GetAuthorizationToken to these credentials" },
        ...notRead("the image configuration was not read", server.port),
      ];
    }
  }
  let config: ImageConfig;
  const evidence: string[] = [`${server.image} from ${registryBaseUrl(ref.registry)}${ecr ? " (ECR token)" : ""}`];
  try {
    const got = await fetchImageConfig(ref, { platform: server.platform, credentials, fetch: opts.fetch, timeoutMs: opts.registryTimeoutMs });
    config = got.config;
    if (got.indexDigest) evidence.push(`index ${got.indexDigest} → ${server.platform.os}/${server.platform.architecture} manifest ${got.manifestDigest}`);
    else evidence.push(`manifest ${got.manifestDigest}`);
    evidence.push(`config ${got.configDigest} (digest verified)`);
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    return [{ id, title, status: "fail", evidence: [...evidence, e.message], fix: REGISTRY_FIXES[e.kind](ref) }, ...notRead("the image configuration was not read", server.port)];
  }
  const built = `${config.os ?? "?"}/${config.architecture ?? "?"}`;
  const platformOk = (!config.os || config.os === server.platform.os) && (!config.architecture || config.architecture === server.platform.architecture);
  const first: CheckResult = platformOk
    ? { id, title, status: "pass", evidence: [...evidence, `built for ${built}`] }
    : {
        id,
        title,
        status: "fail",
        evidence: [...evidence, `the image is built for ${built}, the task runs ${server.platform.os}/${server.platform.architecture}`],
        fix: "use an image (or a multi-platform index) for the task's platform",
      };
  return [first, checkPort(server, config), checkCommand(server, config), checkUser(server, config), checkMounts(server, config), checkVersion(ref, config)];
}

/** Every check of a stack, in report order. */
export async function runPreflight(stack: PreflightStack, opts: PreflightOptions): Promise<CheckResult[]> {
  const region = stack.region ?? opts.env.AWS_REGION;
  const [image, account, secret] = await Promise.all([
    imageChecks(stack, opts),
    checkAccount(stack, new STSClient({ region }), opts.requireAws),
    checkOAuth2Secret(stack, new SecretsManagerClient({ region }), opts.env, opts.requireAws),
  ]);
  return [...image, account, secret];
}

