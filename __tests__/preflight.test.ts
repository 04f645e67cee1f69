/**
 * `npm run preflight`: the image reference and registry rules, the image checks against the task, the
 * stack reader, the AWS checks (aws-sdk-client-mock: ECR token, STS account, the OAuth2 secret, with a
 * canary value that must never appear), input errors (exit 2), and the whole command against a real
 * registry (docker-registry, CNCF distribution v2.8) on loopback: synthetic images pushed through the
 * HTTP API, generated from the port the synthesized stack asks for, so the cases follow
 * `service.containerPort`. The good image passes; each bad one is named.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { main } from "../scripts/preflight";
import { renderText } from "../scripts/common/checks";
import { ImageConfig, isLoopbackRegistry, parseImageRef, registryBaseUrl } from "../scripts/common/oci-registry";
import { checkAccount, checkOAuth2Secret } from "../scripts/preflight/aws-checks";
import { argvPorts, checkCommand, checkMounts, checkPort, checkUser, checkVersion, imageHome, isRootUser } from "../scripts/preflight/image-checks";
import { imageChecks } from "../scripts/preflight/run";
import { PreflightStack, ServerContainer, readPreflightStack } from "../scripts/preflight/task";
import { StackJson, configFrom, shippedFile, synthAll, tempDir } from "./helpers";
import { ContainerConfig, TestRegistry, describeWithRegistry, pushImage, pushIndex, startRegistry } from "./registry";

const PLACEHOLDER = "registry.test/zenml/placeholder";
const CANARY = "CANARY-oauth2-value-7f3c9e";
const ACCOUNT = "123456789012";
const EXISTING_ARN = `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:zenml/pro/existing-AbCdEf`;
const version = shippedFile("dev").zenml.version as string;

const sts = mockClient(STSClient);
const sm = mockClient(SecretsManagerClient);
const ecr = mockClient(ECRClient);
afterAll(() => [sts, sm, ecr].forEach((m) => m.restore()));

const noCredentials = () => Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

/** dev with the server image on a placeholder registry; one stack writing the secret from a variable; one with an existing secret. */
let stacks: Record<string, StackJson>;
beforeAll(() => {
  const dev = shippedFile("dev");
  dev.zenml.image = PLACEHOLDER;
  const withVariable = shippedFile("dev");
  withVariable.name = "zenml-pf-var";
  withVariable.zenml.oauth2ClientSecretVariable = "zenml_oauth2_client_secret";
  const existing = shippedFile("dev");
  existing.name = "zenml-pf-arn";
  existing.zenml.oauth2ClientSecretArn = EXISTING_ARN;
  stacks = synthAll([configFrom(dev, "dev"), configFrom(withVariable, "pf-var"), configFrom(existing, "pf-arn")]);
});
const preflightStack = (name: string): PreflightStack => readPreflightStack(name, `${name}.json`, JSON.parse(stacks[name].raw));

/** A server container as the stacks build it, for the pure checks. */
const server = (over: Partial<ServerContainer> = {}): ServerContainer => ({
  name: "zenml-server",
  taskDefinition: "aws_ecs_task_definition.t",
  image: "example.com/zenml:1.0",
  port: 8080,
  mounts: [],
  environment: {},
  platform: { os: "linux", architecture: "amd64" },
  ...over,
});
/** ZenML's OSS server image (docker/base.Dockerfile, server stage). */
const ossImage: ImageConfig = {
  os: "linux",
  architecture: "amd64",
  config: {
    User: "zenml",
    ExposedPorts: { "8080/tcp": {} },
    Env: ["PATH=/opt/venv/bin:/home/zenml/.local/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "ZENML_CONFIG_PATH=/zenml/.zenconfig"],
    Entrypoint: ["/entrypoint.sh"],
    Cmd: ["uvicorn", "zenml.zen_server.zen_server_api:app", "--no-server-header", "--proxy-headers", "--forwarded-allow-ips", "*", "--port", "8080", "--host", "0.0.0.0"],
  },
};

describe("image references and registries", () => {
  test.each([
    ["python:3.11", "docker.io", "library/python", "3.11", "https://registry-1.docker.io"],
    ["zenmldocker/zenml-server:0.84.3", "docker.io", "zenmldocker/zenml-server", "0.84.3", "https://registry-1.docker.io"],
    ["715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server:0.84.3", "715803424590.dkr.ecr.eu-central-1.amazonaws.com", "zenml-pro-server", "0.84.3", "https://715803424590.dkr.ecr.eu-central-1.amazonaws.com"],
    ["localhost:5000/a/b:1", "localhost:5000", "a/b", "1", "http://localhost:5000"],
    ["127.0.0.1:5000/img:2", "127.0.0.1:5000", "img", "2", "http://127.0.0.1:5000"],
    ["127.9.8.7:5000/img:2", "127.9.8.7:5000", "img", "2", "http://127.9.8.7:5000"],
    ["[::1]:5000/img:3", "[::1]:5000", "img", "3", "http://[::1]:5000"],
    ["127.0.0.1.nip.io/img:4", "127.0.0.1.nip.io", "img", "4", "https://127.0.0.1.nip.io"],
    ["ghcr.io/zenml-io/zenml:0.84.3", "ghcr.io", "zenml-io/zenml", "0.84.3", "https://ghcr.io"],
  ])("%s → %s %s:%s over %s", (ref, registry, repository, tag, base) => {
    const r = parseImageRef(ref);
    expect([r.registry, r.repository, r.tag]).toEqual([registry, repository, tag]);
    expect(registryBaseUrl(r.registry)).toBe(base);
  });

  test("loopback means 127.0.0.0/8, localhost and ::1 only", () => {
    expect(["127.0.0.1", "127.255.0.1:80", "localhost", "LOCALHOST:5000", "[::1]:5000"].map(isLoopbackRegistry)).toEqual([true, true, true, true, true]);
    expect(["128.0.0.1", "10.0.0.1:5000", "localhost.example.com", "127.0.0.1.nip.io", "[::2]:5000"].map(isLoopbackRegistry)).toEqual([false, false, false, false, false]);
  });

  test("digests and malformed references", () => {
    const d = `sha256:${"a".repeat(64)}`;
    expect(parseImageRef(`ghcr.io/x/y@${d}`)).toMatchObject({ digest: d, tag: undefined, repository: "x/y" });
    expect(() => parseImageRef("ghcr.io/x/y@sha256:abc")).toThrow(/digest must be sha256/);
    expect(() => parseImageRef("ghcr.io/X/Y:1")).toThrow(/not a valid name/);
  });
});

test("an unreachable registry fails the image check with the address and the cause; the other image checks are not checked", async () => {
  const closed = await new Promise<number>((resolve) => {
    const srv = http.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as any).port;
      srv.close(() => resolve(port));
    });
  });
  const stack = preflightStack("dev");
  const checks = await imageChecks({ ...stack, server: { ...stack.server, image: `127.0.0.1:${closed}/zenml/server:1.0` } }, { requireAws: false, env: {} });
  expect(checks[0]).toMatchObject({ id: "image-config", status: "fail", summary: `http://127.0.0.1:${closed}/v2/zenml/server/manifests/1.0: ECONNREFUSED` });
  expect(checks[0].diagnoses?.[0].fix).toContain(`http://127.0.0.1:${closed} cannot be reached from here`);
  expect(checks.slice(1).map((c) => c.status)).toEqual(["skip", "skip", "skip", "skip", "skip"]);
});

describe("image checks against the task", () => {
  test("ZenML's OSS image on the stack's old layout: HOME /home/zenml mounted over hides the HOME and the PATH entry", () => {
    const r = checkMounts(server({ mounts: [{ containerPath: "/home/zenml", sourceVolume: "home-zenml" }, { containerPath: "/tmp", sourceVolume: "tmp" }] }), ossImage);
    expect(r.status).toBe("fail");
    expect(r.summary).toBe("volume home-zenml at /home/zenml hides the image's HOME /home/zenml; volume home-zenml at /home/zenml hides PATH entry /home/zenml/.local/bin");
    expect(r.diagnoses?.[0].fix).toContain("/zenml/home");
    // HOME is not in the image's Env: it is an assumption, and the evidence says so.
    expect(r.evidence.join("\n")).toContain("assumed for user zenml (useradd -m; the image's Env has no HOME and its /etc/passwd is not read)");
  });

  test("a writable HOME elsewhere hides nothing; a parent of a PATH entry does", () => {
    expect(checkMounts(server({ mounts: [{ containerPath: "/zenml/home", sourceVolume: "zenml-home" }] }), ossImage).status).toBe("pass");
    const r = checkMounts(server({ mounts: [{ containerPath: "/opt", sourceVolume: "opt" }] }), ossImage);
    expect(r.summary).toBe("volume opt at /opt hides PATH entry /opt/venv/bin");
  });

  test("HOME: exact from Env, assumed for a named user, unknown for a bare UID", () => {
    expect(imageHome({ config: { Env: ["HOME=/data"] } }, "1000")).toEqual({ home: "/data", how: "the image's Env HOME" });
    expect(imageHome({ config: {} }, "app:app").home).toBe("/home/app");
    expect(imageHome({ config: {} }, "1000").home).toBeUndefined();
  });

  test("port: the OSS image exposes 8080; a task on 8000 fails and is told both fixes", () => {
    expect(checkPort(server({ port: 8080 }), ossImage).status).toBe("pass");
    const r = checkPort(server({ port: 8000 }), ossImage);
    expect(r.status).toBe("fail");
    expect(r.summary).toBe("the image exposes 8080/tcp, not 8000/tcp");
    expect(r.diagnoses?.[0].fix).toBe("set service.containerPort to 8080 (what the image exposes), or make the server listen on 8000 with service.command");
    expect(checkPort(server(), { config: {} }).summary).toBe("the image exposes no port (no EXPOSE), not 8080/tcp");
  });

  test("command: the image's CMD --port against the port; a service.command override; an entryPoint override drops the image's CMD", () => {
    expect(checkCommand(server({ port: 8080 }), ossImage).status).toBe("pass");
    const fromImage = checkCommand(server({ port: 8000 }), ossImage);
    expect(fromImage.status).toBe("fail");
    expect(fromImage.diagnoses?.[0].fix).toContain("set service.containerPort to 8080 (the image's CMD)");
    const override = checkCommand(server({ port: 8000, command: ["uvicorn", "app", "--port=9000"] }), ossImage);
    expect(override.status).toBe("fail");
    expect(override.summary).toBe("the command listens on 9000, the task sends traffic to 8000");
    expect(override.diagnoses?.[0].fix).toBe("make the port in service.command equal service.containerPort (8000)");
    expect(checkCommand(server({ port: 8000, command: ["uvicorn", "app", "--port", "8000"] }), ossImage).status).toBe("pass");
    // ECS/Docker: an entryPoint override without a command runs without the image's CMD.
    expect(checkCommand(server({ port: 8000, entryPoint: ["/start.sh"] }), ossImage)).toMatchObject({ status: "pass", evidence: expect.arrayContaining([expect.stringContaining('Cmd [] (image)')]) });
    expect(checkCommand(server(), { config: {} }).status).toBe("fail");
    expect(argvPorts(["gunicorn", "-b", "0.0.0.0:8001", "--bind=[::]:8002"])).toEqual([8001, 8002]);
  });

  test("user: root in all its spellings; the task's user overrides the image's", () => {
    expect(["", "0", "root", "0:0", "root:root", " 0 "].map(isRootUser)).toEqual([true, true, true, true, true, true]);
    expect(["1000", "zenml", "1000:0", "zenml:root"].map(isRootUser)).toEqual([false, false, false, false]);
    expect(checkUser(server(), ossImage).status).toBe("pass");
    expect(checkUser(server({ user: "0" }), ossImage)).toMatchObject({ status: "fail", summary: 'runs as root: the task\'s user is "0"' });
    expect(checkUser(server({ user: "1000" }), { config: { User: "root" } }).status).toBe("pass");
  });

  test("version: the OCI label or ZENML_VERSION against the tag; none declared is not checked", () => {
    const ref = parseImageRef("example.com/zenml:0.84.3");
    expect(checkVersion(ref, { config: { Labels: { "org.opencontainers.image.version": "0.84.3" } } }).status).toBe("pass");
    expect(checkVersion(ref, { config: { Env: ["ZENML_VERSION=v0.84.3"] } }).status).toBe("pass");
    const mismatch = checkVersion(ref, { config: { Labels: { "org.opencontainers.image.version": "0.85.0" } } });
    expect(mismatch).toMatchObject({ status: "fail", summary: "the image declares 0.85.0 but its tag is 0.84.3" });
    expect(checkVersion(ref, ossImage).status).toBe("skip");
  });
});

describe("reading the synthesized stack", () => {
  test("dev: the load-balanced server container, its port, writable mounts, platform, and the created OAuth2 secret", () => {
    const s = preflightStack("dev");
    const td = Object.values(stacks.dev.resource.aws_ecs_service)[0] as any;
    expect(s.server.name).toBe(td.load_balancer[0].container_name);
    expect(s.server.port).toBe(td.load_balancer[0].container_port);
    expect(s.server.image).toBe(`${PLACEHOLDER}:${version}`);
    expect(s.server.mounts.length).toBeGreaterThan(0);
    expect(s.server.mounts.every((m) => m.containerPath.startsWith("/") && !m.containerPath.startsWith("/volumes/"))).toBe(true);
    expect(s.server.platform).toEqual({ os: "linux", architecture: "amd64" });
    expect(s.region).toBe("eu-central-1");
    expect(s.oauth2Secret).toMatchObject({ kind: "created", name: expect.stringContaining("oauth2-client-secret") });
  });

  test("a deploy-time variable and an existing secret ARN are recognized", () => {
    expect(preflightStack("pf-var").oauth2Secret).toMatchObject({ kind: "variable", variable: "zenml_oauth2_client_secret" });
    expect(preflightStack("pf-arn").oauth2Secret).toEqual({ kind: "existing", arn: EXISTING_ARN });
  });
});

describe("AWS checks (aws-sdk-client-mock)", () => {
  beforeEach(() => [sts, sm, ecr].forEach((m) => m.reset()));
  const withAccounts = (ids?: string[]): PreflightStack => ({ ...preflightStack("dev"), allowedAccountIds: ids });

  test("account: allowed, not allowed, any, no credentials, another error", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    expect((await checkAccount(withAccounts([ACCOUNT]), new STSClient({}), false)).status).toBe("pass");
    const denied = await checkAccount(withAccounts(["210987654321"]), new STSClient({}), false);
    expect(denied).toMatchObject({ status: "fail", summary: `caller account ${ACCOUNT} is not in allowedAccountIds [210987654321]: terraform refuses to plan` });
    expect((await checkAccount(withAccounts(undefined), new STSClient({}), false)).summary).toBe(`caller account ${ACCOUNT}; the stack allows any account (no allowedAccountIds)`);
    sts.on(GetCallerIdentityCommand).rejects(noCredentials());
    expect((await checkAccount(withAccounts([ACCOUNT]), new STSClient({}), false)).status).toBe("skip");
    expect((await checkAccount(withAccounts([ACCOUNT]), new STSClient({}), true)).status).toBe("fail");
    sts.on(GetCallerIdentityCommand).rejects(awsError("ExpiredToken", "The security token included in the request is expired"));
    expect(await checkAccount(withAccounts([ACCOUNT]), new STSClient({}), false)).toMatchObject({ status: "fail", summary: "sts:GetCallerIdentity failed: ExpiredToken: The security token included in the request is expired" });
  });

  test("secret created by the stack: not there yet passes with a note; a current value passes without showing it (canary)", async () => {
    const stack = preflightStack("dev");
    sm.on(DescribeSecretCommand).rejects(awsError("ResourceNotFoundException"));
    const missing = await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false);
    expect(missing.status).toBe("pass");
    expect(missing.summary).toContain("does not exist yet: this deploy creates it");
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ["AWSCURRENT"] } });
    sm.on(GetSecretValueCommand).resolves({ SecretString: CANARY });
    const ok = await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false);
    expect(ok).toMatchObject({ status: "pass", summary: `${stack.oauth2Secret.kind === "created" && stack.oauth2Secret.name} has a current value (not shown)` });
    expect(JSON.stringify(ok)).not.toContain(CANARY);
    expect(sm.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: (stack.oauth2Secret as any).name });
  });

  test("secret without a current value, or an empty one, fails with the put-secret-value fix", async () => {
    const stack = preflightStack("dev");
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: {} });
    const none = await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false);
    expect(none.status).toBe("fail");
    expect(none.diagnoses?.[0].fix).toMatch(/^aws secretsmanager put-secret-value --secret-id \S+ --secret-string "\$ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET"$/);
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ["AWSCURRENT"] } });
    sm.on(GetSecretValueCommand).resolves({ SecretString: "  " });
    expect((await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false)).summary).toContain("current value is empty");
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ["AWSCURRENT"] }, DeletedDate: new Date("2026-12-01T00:00:00Z") });
    const deleted = await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false);
    expect(deleted).toMatchObject({ status: "fail", summary: `${(stack.oauth2Secret as any).name} is scheduled for deletion (since 2026-12-01T00:00:00.000Z)` });
    expect(deleted.diagnoses?.[0].fix).toBe(`aws secretsmanager restore-secret --secret-id ${(stack.oauth2Secret as any).name}`);
  });

  test("an existing secret by ARN must exist; no credentials is not checked", async () => {
    const stack = preflightStack("pf-arn");
    sm.on(DescribeSecretCommand).rejects(awsError("ResourceNotFoundException"));
    expect(await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false)).toMatchObject({ status: "fail", summary: `the existing secret ${EXISTING_ARN} (zenml.oauth2ClientSecretArn) was not found` });
    sm.on(DescribeSecretCommand).rejects(noCredentials());
    expect((await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false)).status).toBe("skip");
    expect((await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, true)).status).toBe("fail");
  });

  test("a deploy-time variable: TF_VAR_<name> must be set (never printed), no AWS call", async () => {
    const stack = preflightStack("pf-var");
    const set = await checkOAuth2Secret(stack, new SecretsManagerClient({}), { TF_VAR_zenml_oauth2_client_secret: CANARY }, false);
    expect(set.status).toBe("pass");
    expect(JSON.stringify(set)).not.toContain(CANARY);
    const unset = await checkOAuth2Secret(stack, new SecretsManagerClient({}), {}, false);
    expect(unset).toMatchObject({ status: "fail" });
    expect(unset.diagnoses?.[0].fix).toBe("read -rs TF_VAR_zenml_oauth2_client_secret; export TF_VAR_zenml_oauth2_client_secret (CI: a masked secret), then deploy");
    expect(sm.calls()).toHaveLength(0);
  });

  test("ECR: GetAuthorizationToken for the image's account, then Basic auth on every registry request; the token never appears", async () => {
    const host = `${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com`;
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from(`AWS:${CANARY}`).toString("base64"), proxyEndpoint: `https://${host}` }] });
    const config = Buffer.from(JSON.stringify(ossImage));
    const digest = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: digest(config), size: config.length }, layers: [] }));
    const seen: { url: string; authorization?: string }[] = [];
    const fakeFetch = (async (input: string | URL, init?: RequestInit) => {
      const url = String(input);
      const authorization = (init?.headers as Record<string, string>)?.Authorization;
      seen.push({ url, authorization });
      if (authorization !== `Basic ${Buffer.from(`AWS:${CANARY}`).toString("base64")}`) return new Response("", { status: 401, headers: { "WWW-Authenticate": `Basic realm="https://${host}/",service="ecr.amazonaws.com"` } });
      if (url.endsWith(`/manifests/${version}`)) return new Response(manifest, { headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" } });
      if (url.endsWith(`/blobs/${digest(config)}`)) return new Response(config);
      return new Response("", { status: 404 });
    }) as typeof fetch;
    const stack = preflightStack("dev");
    const ecrStack: PreflightStack = { ...stack, server: { ...stack.server, image: `${host}/zenml-pro-server:${version}`, port: 8080, mounts: [] } };
    const checks = await imageChecks(ecrStack, { requireAws: false, env: {}, fetch: fakeFetch });
    expect(checks.map((c) => c.status)).toEqual(["pass", "pass", "pass", "pass", "pass", "skip"]);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input).toEqual({ registryIds: [ACCOUNT] });
    expect(await (ecr.call(0).thisValue as ECRClient).config.region()).toBe("eu-central-1");
    expect(seen.map((s) => s.url)).toEqual([`https://${host}/v2/zenml-pro-server/manifests/${version}`, `https://${host}/v2/zenml-pro-server/blobs/${digest(config)}`]);
    expect(seen.every((s) => s.authorization?.startsWith("Basic "))).toBe(true);
    const text = renderText({ command: "preflight", subject: "dev", at: "", checks }, true);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(Buffer.from(`AWS:${CANARY}`).toString("base64"));

    ecr.on(GetAuthorizationTokenCommand).rejects(noCredentials());
    const without = await imageChecks(ecrStack, { requireAws: false, env: {}, fetch: fakeFetch });
    expect(without[0]).toMatchObject({ status: "skip", summary: `no AWS credentials: reading ${host} needs ecr:GetAuthorizationToken` });
    expect((await imageChecks(ecrStack, { requireAws: true, env: {}, fetch: fakeFetch }))[0].status).toBe("fail");
  });
});

describe("input errors exit 2 and write nothing to stdout", () => {
  const run = async (...argv: string[]) => {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), env: { CDKTF_OUTDIR: "/nonexistent-cdktf-out" } });
    return { code, out, err };
  };
  test.each([
    [[], /name a stack/],
    [["nosuchstack"], /unknown stack "nosuchstack"; stacks: dev, prod, state-bootstrap \(from .*config\)/],
    [["dve"], /unknown stack "dve"; stacks: dev, prod, state-bootstrap \(from .*config\); did you mean dev\?/],
    [["dev", "--fromat", "json"], /unknown option --fromat; did you mean --format\?/],
    [["dev", "--format", "jsn"], /--format must be one of text, json, got "jsn"; did you mean json\?/],
    [["dev"], /\/nonexistent-cdktf-out\/stacks\/dev\/cdk\.tf\.json: no such file \(run npm run synth first\)/],
    [["dev", "--offline", "--require-aws"], /--offline and --require-aws exclude each other/],
    [["dev", "--format", "xml"], /--format must be one of text, json, got "xml"/],
    [["dev", "--frobnicate"], /unknown option --frobnicate/],
    [["--stack-json"], /--stack-json needs a value/],
  ])("%j", async (argv, message) => {
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
  });
  test("a stack without a load-balanced ECS service (state-bootstrap) is not a server stack", async () => {
    const dir = tempDir("zenml-preflight-input-");
    const file = path.join(dir, "bootstrap.json");
    fs.writeFileSync(file, stacks["state-bootstrap"].raw);
    const r = await run("--stack-json", file);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: no aws_ecs_service with a load_balancer block: not a ZenML server stack`);
  });
});

const { describe: describeRegistry } = describeWithRegistry("run the preflight registry tests");

describeRegistry("preflight against a loopback registry", () => {
  let registry: TestRegistry;
  let dir: string;
  let raw: string;
  let port: number;
  let mounts: string[];

  /** The stack JSON with the server image replaced by `image`, written to a file. */
  const stackFile = (name: string, image: string): string => {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, raw.split(`${PLACEHOLDER}:${version}`).join(image));
    return file;
  };
  /** Runs preflight on dev with `image`; --offline unless `--online` or --require-aws is among the args. */
  const run = async (image: string, ...given: string[]) => {
    let out = "";
    let err = "";
    const online = given.includes("--online") || given.includes("--require-aws");
    const args = [...given.filter((a) => a !== "--online"), ...(online ? [] : ["--offline"])];
    const code = await main(["dev", "--stack-json", stackFile(image.replace(/\W+/g, "_"), image), ...args], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: {},
    });
    return { code, out, err, json: args.includes("json") ? JSON.parse(out) : undefined };
  };
  const statusOf = (json: any) => Object.fromEntries(json.checks.map((c: any) => [c.id, c.status]));
  const checkOf = (json: any, id: string) => json.checks.find((c: any) => c.id === id);

  /** A server image as ZenML builds it (docker/base.Dockerfile), listening on `listen`, with a HOME no task mount hides. */
  const serverConfig = (listen: number, overrides: Partial<ContainerConfig> = {}): ContainerConfig => {
    const home = ["/home/zenml", "/opt/zenml"].find((h) => !mounts.some((m) => h === m || h.startsWith(`${m}/`)))!;
    return {
      User: "zenml",
      ExposedPorts: { [`${listen}/tcp`]: {} },
      Env: [`PATH=/opt/venv/bin:${home}/.local/bin:/usr/local/bin:/usr/bin:/bin`, `HOME=${home}`, "ZENML_CONTAINER=1"],
      Entrypoint: ["/entrypoint.sh"],
      Cmd: ["uvicorn", "zenml.zen_server.zen_server_api:app", "--proxy-headers", "--port", String(listen), "--host", "0.0.0.0"],
      Labels: { "org.opencontainers.image.version": version },
      ...overrides,
    };
  };

  beforeAll(async () => {
    registry = await startRegistry();
    dir = tempDir("zenml-preflight-");
    raw = stacks.dev.raw;
    const stack = readPreflightStack("dev", "dev.json", JSON.parse(raw));
    port = stack.server.port;
    mounts = stack.server.mounts.map((m) => m.containerPath);
    const other = port === 8080 ? 8000 : 8080;
    const h = registry.host;
    await pushImage(h, "zenml/good", version, serverConfig(port));
    await pushImage(h, "zenml/good-docker", version, serverConfig(port), { docker: true });
    await pushImage(h, "zenml/wrong-port", version, serverConfig(other));
    await pushImage(h, "zenml/root", version, serverConfig(port, { User: "" }));
    const amd64 = await pushImage(h, "zenml/multi", undefined, serverConfig(port));
    const arm64 = await pushImage(h, "zenml/multi", undefined, serverConfig(other, { User: "0" }), { architecture: "arm64" });
    const platforms = [
      { ...arm64, platform: { os: "linux", architecture: "arm64" } },
      { ...amd64, platform: { os: "linux", architecture: "amd64" } },
    ];
    await pushIndex(h, "zenml/multi", version, platforms);
    await pushIndex(h, "zenml/multi", "arm-only", [platforms[0]]);
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    // No AWS credentials: the AWS checks say "not checked"; the image checks need none.
    sts.reset().rejects(noCredentials());
    sm.reset().rejects(noCredentials());
  });

  test("--offline: the good image passes every image check; AWS checks are not checked, the shipped placeholders allowed (exit 0)", async () => {
    const r = await run(`${registry.host}/zenml/good:${version}`, "--format", "json");
    expect(r.err).toBe("");
    expect(statusOf(r.json)).toEqual({
      "config-placeholders": "skip",
      "image-config": "pass",
      "image-port": "pass",
      "image-command": "pass",
      "image-user": "pass",
      "image-mounts": "pass",
      "image-version": "pass",
      "aws-account": "skip",
      "oauth2-secret": "skip",
    });
    expect(checkOf(r.json, "image-config").evidence.join("\n")).toMatch(/config sha256:[0-9a-f]{64} \(digest verified\)/);
    expect(r.json).toMatchObject({ command: "preflight", subject: "dev", passed: true });
    expect(checkOf(r.json, "image-config").evidence[0]).toContain(`http://${registry.host}`);
    expect(checkOf(r.json, "aws-account").summary).toBe("not checked (--offline)");
    expect(checkOf(r.json, "config-placeholders").summary).toMatch(/config\/dev\.json: shipped example values \(allowed with --offline\): zenml\.organizationId, /);
    expect(r.code).toBe(0);
  });

  test("without credentials and without --offline: the first line says the run is incomplete, exit 1; the placeholders fail", async () => {
    const r = await run(`${registry.host}/zenml/good:${version}`, "--online");
    expect(r.out.split("\n")[0]).toBe(
      "preflight dev: INCOMPLETE: no AWS credentials, so 2 check(s) did not run (aws-account, oauth2-secret); run with credentials for the stack's account, or pass --offline to accept checking only what needs no AWS",
    );
    expect(r.out).toContain("✓ Image port:");
    expect(r.out).toMatch(/✗ Config values: config\/dev\.json: 6 shipped example value\(s\) would reach AWS: zenml\.organizationId, zenml\.organizationName, zenml\.workspaceId, dns\.domainName, dns\.certificateArn, state\.bucket/);
    expect(r.out).toContain("    zenml.organizationId: 00000000-0000-0000-0000-000000000001 (example ZenML Pro ID)");
    expect(r.code).toBe(1);
    const json = await run(`${registry.host}/zenml/good:${version}`, "--online", "--format", "json");
    expect(json.json).toMatchObject({ passed: false, notice: expect.stringMatching(/^preflight dev: INCOMPLETE: no AWS credentials/) });
  });

  test("a config without placeholders passes the config check", async () => {
    const own = path.join(dir, "dev.json");
    const dev = shippedFile("dev");
    dev.zenml = { ...dev.zenml, organizationId: "3f0c7f3e-2b1e-4d7a-9d43-6a3c2f0f9a12", organizationName: "acme", workspaceId: "4a1b2c3d-2b1e-4d7a-9d43-6a3c2f0f9a13" };
    dev.dns = { ...dev.dns, domainName: "zenml-dev.acme.example", certificateArn: "arn:aws:acm:eu-central-1:210987654321:certificate/5e6f7a8b-2b1e-4d7a-9d43-6a3c2f0f9a14" };
    dev.state = { bucket: "acme-zenml-tfstate" };
    fs.writeFileSync(own, JSON.stringify(dev));
    const r = await run(`${registry.host}/zenml/good:${version}`, "--format", "json", "--config", own);
    expect(checkOf(r.json, "config-placeholders")).toMatchObject({ status: "pass", summary: `${own}: no shipped example value` });
  });

  test("a Docker v2 schema 2 manifest reads the same", async () => {
    const r = await run(`${registry.host}/zenml/good-docker:${version}`, "--format", "json");
    expect(r.code).toBe(0);
    expect(statusOf(r.json)["image-port"]).toBe("pass");
  });

  test("--require-aws turns the unchecked AWS checks into failures (exit 1)", async () => {
    const r = await run(`${registry.host}/zenml/good:${version}`, "--format", "json", "--require-aws");
    expect(statusOf(r.json)).toMatchObject({ "image-port": "pass", "aws-account": "fail", "oauth2-secret": "fail" });
    expect(r.code).toBe(1);
  });

  test("an image that exposes another port than the stack's is named, with the ports it exposes (exit 1)", async () => {
    const other = port === 8080 ? 8000 : 8080;
    const r = await run(`${registry.host}/zenml/wrong-port:${version}`);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`✗ Image port: the image exposes ${other}/tcp, not ${port}/tcp`);
    expect(r.out).toContain(`fix: set service.containerPort to ${other}`);
    // The image's CMD (no service.command override) listens on the other port too.
    expect(r.out).toContain(`✗ Server command: the command listens on ${other}, the task sends traffic to ${port}`);
    expect(r.out).toContain("✓ Server user: zenml (the image's User)");
    expect(r.out).toContain(`preflight dev: 2 of 9 checks failed (3 not checked)`);
  });

  test("an image that runs as root is named (exit 1)", async () => {
    const r = await run(`${registry.host}/zenml/root:${version}`, "--format", "json");
    expect(r.code).toBe(1);
    const failed = r.json.checks.filter((c: any) => c.status === "fail").map((c: any) => c.id);
    expect(failed).toEqual(["image-user"]);
    expect(checkOf(r.json, "image-user").summary).toBe("runs as root: the image's User is empty");
  });

  test("a multi-platform index resolves to linux/amd64 (the arm64 entry is root on another port)", async () => {
    const r = await run(`${registry.host}/zenml/multi:${version}`, "--format", "json");
    expect(statusOf(r.json)).toMatchObject({ "image-config": "pass", "image-port": "pass", "image-user": "pass", "image-command": "pass" });
    expect(checkOf(r.json, "image-config").evidence.join("\n")).toMatch(/index sha256:[0-9a-f]{64} → linux\/amd64 manifest sha256:[0-9a-f]{64}/);
    expect(r.code).toBe(0);
  });

  test("an index without linux/amd64 names the platforms it offers", async () => {
    const r = await run(`${registry.host}/zenml/multi:arm-only`, "--format", "json");
    expect(r.code).toBe(1);
    expect(checkOf(r.json, "image-config").status).toBe("fail");
    expect(checkOf(r.json, "image-config").summary).toContain("without linux/amd64 (it offers linux/arm64)");
    expect(checkOf(r.json, "image-port").status).toBe("skip");
  });

  test("a tag that is not in the registry fails with where to look", async () => {
    const r = await run(`${registry.host}/zenml/good:9.9.9`, "--format", "json");
    expect(r.code).toBe(1);
    expect(checkOf(r.json, "image-config").summary).toContain("404");
    expect(checkOf(r.json, "image-config").diagnoses[0].fix).toContain("check zenml.version");
  });

  describe("behind Bearer token auth (a proxy in front of the registry that answers 401 with a challenge)", () => {
    let proxy: http.Server;
    let proxyHost: string;
    let tamper = false;
    const token = "t0ken-for-tests";
    const tokenRequests: string[] = [];
    beforeAll(async () => {
      proxy = http.createServer(async (req, res) => {
        const url = new URL(req.url!, `http://${req.headers.host}`);
        if (url.pathname === "/token") {
          tokenRequests.push(url.search);
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ token }));
          return;
        }
        if (req.headers.authorization !== `Bearer ${token}`) {
          const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1];
          res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${proxyHost}/token",service="test-registry",scope="repository:${repo}:pull"` });
          res.end();
          return;
        }
        const upstream = await fetch(`http://${registry.host}${url.pathname}`, { headers: { Accept: String(req.headers.accept ?? "*/*") } });
        let body = Buffer.from(await upstream.arrayBuffer());
        if (tamper && url.pathname.includes("/blobs/")) body = Buffer.from(body.toString().replace('"zenml"', '"root"'));
        res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "application/octet-stream" });
        res.end(body);
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      proxyHost = `127.0.0.1:${(proxy.address() as any).port}`;
    });
    afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

    test("the token endpoint is asked for a pull token of the repository, then the image reads", async () => {
      tamper = false;
      const r = await run(`${proxyHost}/zenml/good:${version}`, "--format", "json");
      expect(statusOf(r.json)["image-port"]).toBe("pass");
      expect(r.code).toBe(0);
      expect(tokenRequests[0]).toContain("service=test-registry");
      expect(decodeURIComponent(tokenRequests[0])).toContain("scope=repository:zenml/good:pull");
    });

    test("a config blob whose content does not match its digest is refused", async () => {
      tamper = true;
      const r = await run(`${proxyHost}/zenml/good:${version}`, "--format", "json");
      tamper = false;
      expect(r.code).toBe(1);
      expect(checkOf(r.json, "image-config").summary).toContain("content does not match its digest");
      expect(checkOf(r.json, "image-user").status).toBe("skip");
    });
  });
});
