/**
 * A real OCI registry for the preflight tests: Debian's `docker-registry` package (CNCF distribution
 * v2.8), started on a free loopback port with storage in a temp folder, and images pushed through its
 * HTTP API (blob upload, then manifest PUT; no Docker). Without the binary the suites that need it are
 * skipped locally with a warning and fail in CI (CI=true), like the terraform suites.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { gzipSync } from "zlib";
import { tempDir } from "./helpers";

/** The registry binary: $DOCKER_REGISTRY_BIN, else docker-registry on PATH or in /usr/bin. */
export const registryBinary =
  process.env.DOCKER_REGISTRY_BIN ??
  (spawnSync("sh", ["-c", "command -v docker-registry"], { encoding: "utf8" }).stdout.trim() || "/usr/bin/docker-registry");
export const registryAvailable = fs.existsSync(registryBinary);

/** `describe` when the registry binary exists (or in CI, where its absence must fail), else `describe.skip` after a warning. */
export function describeWithRegistry(purpose: string): { describe: jest.Describe; missing: string } {
  const missing = `docker-registry not found (${registryBinary}): apt-get install docker-registry (Debian/Ubuntu: CNCF distribution v2) to ${purpose}`;
  if (!registryAvailable && !process.env.CI) console.warn(`SKIPPED: ${missing}`);
  return { describe: registryAvailable || process.env.CI ? describe : describe.skip, missing };
}

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry part of image references. */
  readonly host: string;
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` on a free loopback port; resolves once /v2/ answers. */
export async function startRegistry(): Promise<TestRegistry> {
  if (!registryAvailable) throw new Error(`docker-registry not found at ${registryBinary}: apt-get install docker-registry`);
  const dir = tempDir("zenml-registry-");
  const port = await freePort();
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "data")}`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  let output = "";
  const child: ChildProcess = spawn(registryBinary, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`http://${host}/v2/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`docker-registry did not answer on ${host} within 10 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill();
      }),
  };
}

const digestOf = (body: Buffer) => `sha256:${createHash("sha256").update(body).digest("hex")}`;

/** Uploads a blob (POST, then PUT with its digest); returns its descriptor. */
async function pushBlob(host: string, repo: string, body: Buffer, mediaType: string): Promise<{ mediaType: string; digest: string; size: number }> {
  const digest = digestOf(body);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get("location")!, `http://${host}`);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, { method: "PUT", body, headers: { "Content-Type": "application/octet-stream" } });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
  return { mediaType, digest, size: body.length };
}

/** PUTs a manifest or index; returns its digest. */
async function putManifest(host: string, repo: string, reference: string, manifest: object): Promise<string> {
  const body = Buffer.from(JSON.stringify(manifest));
  const mediaType = (manifest as { mediaType: string }).mediaType;
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { method: "PUT", body, headers: { "Content-Type": mediaType } });
  if (res.status !== 201) throw new Error(`manifest PUT ${repo}:${reference}: ${res.status} ${await res.text()}`);
  return digestOf(body);
}

/** The `config` part of an image configuration (OCI image-spec config.md). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Labels?: Record<string, string>;
}

/** Pushes a one-layer image (an empty tar) with this config; tag optional (index entries are pushed by digest). */
export async function pushImage(
  host: string,
  repo: string,
  tag: string | undefined,
  config: ContainerConfig,
  opts: { architecture?: string; docker?: boolean } = {},
): Promise<{ digest: string; size: number; mediaType: string }> {
  const layer = gzipSync(Buffer.alloc(1024));
  const diffId = digestOf(Buffer.alloc(1024));
  const docker = opts.docker ?? false;
  const layerDesc = await pushBlob(host, repo, layer, docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip");
  const imageConfig = Buffer.from(JSON.stringify({ architecture: opts.architecture ?? "amd64", os: "linux", config, rootfs: { type: "layers", diff_ids: [diffId] } }));
  const configDesc = await pushBlob(host, repo, imageConfig, docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json");
  const mediaType = docker ? "application/vnd.docker.distribution.manifest.v2+json" : "application/vnd.oci.image.manifest.v1+json";
  const manifest = { schemaVersion: 2, mediaType, config: configDesc, layers: [layerDesc] };
  const digest = await putManifest(host, repo, tag ?? digestOf(Buffer.from(JSON.stringify(manifest))), manifest);
  return { digest, size: Buffer.byteLength(JSON.stringify(manifest)), mediaType };
}

/** Pushes an image index (OCI, or a Docker manifest list) of already pushed manifests under `tag`. */
export async function pushIndex(
  host: string,
  repo: string,
  tag: string,
  entries: { digest: string; size: number; mediaType: string; platform: { os: string; architecture: string } }[],
  docker = false,
): Promise<string> {
  const mediaType = docker ? "application/vnd.docker.distribution.manifest.list.v2+json" : "application/vnd.oci.image.index.v1+json";
  return putManifest(host, repo, tag, { schemaVersion: 2, mediaType, manifests: entries });
}
