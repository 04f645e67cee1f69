/**
 * `npm run preflight` against a real registry (docker-registry, CNCF distribution v2.8) on loopback:
 * synthetic images pushed through the HTTP API, generated from the port the synthesized stack asks for,
 * so the cases follow `service.containerPort`. The good image passes; each bad one is named.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { main } from "../scripts/preflight";
import { readPreflightStack } from "../scripts/preflight/task";
import { configFrom, shippedFile, synthAll, tempDir } from "./helpers";
import { ContainerConfig, TestRegistry, describeWithRegistry, pushImage, pushIndex, startRegistry } from "./registry";

const { describe: describeRegistry } = describeWithRegistry("run the preflight registry tests");

const noCredentials = () => Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });

describeRegistry("preflight against a loopback registry", () => {
  let registry: TestRegistry;
  let dir: string;
  let raw: string;
  let port: number;
  let mounts: string[];
  const version = shippedFile("dev").zenml.version as string;
  const sts = mockClient(STSClient);
  const sm = mockClient(SecretsManagerClient);

  /** The stack JSON with the server image replaced by `image`, written to a file. */
  const stackFile = (name: string, image: string): string => {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, raw.split(`${registry.host}/zenml/placeholder:${version}`).join(image));
    return file;
  };
  const run = async (image: string, ...args: string[]) => {
    let out = "";
    let err = "";
    const code = await main(["--stack-json", stackFile(image.replace(/\W+/g, "_"), image), ...args], {
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
    const doc = shippedFile("dev");
    doc.zenml.image = `${registry.host}/zenml/placeholder`;
    raw = synthAll([configFrom(doc, "dev")]).dev.raw;
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
    sts.restore();
    sm.restore();
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    // No AWS credentials: the AWS checks say "not checked"; the image checks need none.
    sts.reset().rejects(noCredentials());
    sm.reset().rejects(noCredentials());
  });

  test("the good image passes every image check; AWS checks are not checked without credentials (exit 0)", async () => {
    const r = await run(`${registry.host}/zenml/good:${version}`, "--format", "json");
    expect(r.err).toBe("");
    expect(statusOf(r.json)).toEqual({
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
    expect(checkOf(r.json, "image-config").evidence[0]).toContain(`http://${registry.host}`);
    expect(checkOf(r.json, "aws-account").evidence).toEqual(["no AWS credentials: sts:GetCallerIdentity"]);
    expect(r.code).toBe(0);
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
    expect(r.out).toContain(`✗ The image exposes the container port ${port}`);
    expect(r.out).toContain(`the image exposes ${other}/tcp, not ${port}/tcp`);
    expect(r.out).toContain(`fix: set service.containerPort to ${other}`);
    // The image's CMD (no service.command override) listens on the other port too.
    expect(r.out).toContain(`✗ The server command listens on the container port`);
    expect(r.out).toContain(`the command listens on ${other}, the task sends traffic to ${port}`);
    expect(r.out).toMatch(/✓ The server runs as a non-root user/);
  });

  test("an image that runs as root is named (exit 1)", async () => {
    const r = await run(`${registry.host}/zenml/root:${version}`, "--format", "json");
    expect(r.code).toBe(1);
    const failed = r.json.checks.filter((c: any) => c.status === "fail").map((c: any) => c.id);
    expect(failed).toEqual(["image-user"]);
    expect(checkOf(r.json, "image-user").evidence).toEqual(["the image's User is empty, so the container runs as root"]);
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
    expect(checkOf(r.json, "image-config").evidence.join("\n")).toContain("without linux/amd64 (it offers linux/arm64)");
    expect(checkOf(r.json, "image-port").status).toBe("skip");
  });

  test("a tag that is not in the registry fails with where to look", async () => {
    const r = await run(`${registry.host}/zenml/good:9.9.9`, "--format", "json");
    expect(r.code).toBe(1);
    expect(checkOf(r.json, "image-config").evidence.join("\n")).toContain("404");
    expect(checkOf(r.json, "image-config").fix).toContain("check zenml.version");
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
      expect(checkOf(r.json, "image-config").evidence.join("\n")).toContain("content does not match its digest");
      expect(checkOf(r.json, "image-user").status).toBe("skip");
    });
  });
});
