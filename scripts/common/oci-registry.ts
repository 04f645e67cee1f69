/**
 * A small client of the OCI distribution API (https://github.com/opencontainers/distribution-spec,
 * the Docker Registry HTTP API v2) that reads an image's configuration without Docker: the manifest
 * (an index or manifest list resolved to one platform), then the config blob, each checked against
 * its sha256 digest.
 *
 * - Image references are normalized as Docker does (github.com/distribution/reference,
 *   `normalize.go`): a first component with a `.` or `:`, or `localhost`, is a registry host;
 *   otherwise the image is on Docker Hub (`registry-1.docker.io`, `library/` for one-component names).
 * - A registry on loopback (127.0.0.0/8, `localhost`, `[::1]`) is reached over plain HTTP, as Docker
 *   treats it as insecure by default (moby `registry/config.go`: 127.0.0.0/8 and ::1/128 are
 *   insecure registries); any other over HTTPS.
 * - Authentication: anonymous first; a `401` with `WWW-Authenticate: Bearer realm=…,service=…,scope=…`
 *   is answered from the token endpoint (distribution `docs/spec/auth/token.md`), with the given
 *   credentials as Basic auth if any; a `Basic` challenge with the given credentials (ECR).
 */
import { createHash } from "crypto";
import { isIP } from "net";

/** A parsed image reference. */
export interface ImageRef {
  /** Registry host[:port] as written (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** Repository path, e.g. `library/python`, `zenml-pro-server`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** The reference as given. */
  readonly original: string;
}

/** Docker Hub's API host. */
const DOCKER_HUB = "registry-1.docker.io";

/** Parses an image reference (`[host[:port]/]path[:tag][@sha256:…]`); throws on a malformed one. */
export function parseImageRef(original: string): ImageRef {
  const at = original.indexOf("@");
  const digest = at >= 0 ? original.slice(at + 1) : undefined;
  let rest = at >= 0 ? original.slice(0, at) : original;
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`image ${original}: digest must be sha256:<64 hex digits>`);
  const slash = rest.indexOf("/");
  let registry = "docker.io";
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("[")) {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  const colon = rest.lastIndexOf(":");
  const tag = colon > rest.lastIndexOf("/") && colon >= 0 ? rest.slice(colon + 1) : undefined;
  let repository = tag !== undefined ? rest.slice(0, colon) : rest;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) {
    throw new Error(`image ${original}: repository "${repository}" is not a valid name (lower-case letters, digits, separators . _ - /)`);
  }
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) throw new Error(`image ${original}: tag "${tag}" is not valid`);
  if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository, tag, digest, original };
}

/** The host part of a registry (`host[:port]` or `[v6]:port`), without brackets. */
export function registryHost(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(1, registry.indexOf("]"));
  return registry.replace(/:\d+$/, "");
}

/** Whether a registry is on loopback: 127.0.0.0/8, `localhost`, `::1`. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registryHost(registry).toLowerCase();
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/** Base URL of a registry's API: `http://` on loopback, else `https://`; Docker Hub's API host for docker.io. */
export function registryBaseUrl(registry: string): string {
  const host = registry === "docker.io" || registry === "index.docker.io" ? DOCKER_HUB : registry;
  return `${isLoopbackRegistry(registry) ? "http" : "https"}://${host}`;
}

/** The image ECR registry's account and region, when the host is an ECR private registry. */
export function ecrRegistry(registry: string): { accountId: string; region: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(registry);
  return m ? { accountId: m[1], region: m[2] } : undefined;
}

/** Manifest media types (OCI image spec, Docker image manifest v2 schema 2). */
export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
} as const;
const ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(", ");

/** The parts of an image configuration (OCI image-spec `config.md`) the checks read. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly config?: {
    readonly User?: string;
    readonly ExposedPorts?: Record<string, object>;
    readonly Env?: string[];
    readonly Entrypoint?: string[] | null;
    readonly Cmd?: string[] | null;
    readonly WorkingDir?: string;
    readonly Labels?: Record<string, string> | null;
  };
}

/** A platform to resolve an index to. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
}

/** What was read from the registry. */
export interface ImageConfigResult {
  readonly config: ImageConfig;
  /** Digest of the image manifest the config belongs to. */
  readonly manifestDigest: string;
  /** Digest of the index the manifest was chosen from, when the reference names an index. */
  readonly indexDigest?: string;
  readonly configDigest: string;
  /** Media type of the top-level manifest. */
  readonly mediaType: string;
}

/** Why the registry did not give the image. */
export type RegistryErrorKind = "unauthorized" | "not-found" | "unreachable" | "protocol";

/** A registry failure, classified. */
export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Options of {@link fetchImageConfig}. */
export interface FetchImageOptions {
  /** Platform an index resolves to. */
  readonly platform: Platform;
  /** Registry credentials (Basic auth, and for Bearer token requests). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** fetch implementation (tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Timeout of each registry request (ms). */
const REQUEST_TIMEOUT_MS = 20000;

const sha256 = (body: Buffer) => `sha256:${createHash("sha256").update(body).digest("hex")}`;

/** `WWW-Authenticate` parameters: `Bearer realm="…",service="…"` → {scheme, params}. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header) ?? ["", "", ""];
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = p[2] ?? p[3];
  return { scheme: m[1].toLowerCase(), params };
}

/** One registry session: remembers the authorization that worked. */
class Session {
  private authorization?: string;
  private readonly fetchImpl: typeof fetch;

  constructor(
    private readonly ref: ImageRef,
    private readonly opts: FetchImageOptions,
  ) {
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    if (opts.credentials && ecrRegistry(ref.registry)) this.authorization = this.basic();
  }

  private basic(): string {
    const c = this.opts.credentials!;
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
  }

  private async send(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await this.fetchImpl(url, { headers, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryError("unreachable", `${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
  }

  /** Answers a 401 challenge; returns whether a new authorization was obtained. */
  private async authenticate(challenge: string | null, url: string): Promise<boolean> {
    const { scheme, params } = parseChallenge(challenge ?? "");
    if (scheme === "basic") {
      if (!this.opts.credentials || this.authorization === this.basic()) return false;
      this.authorization = this.basic();
      return true;
    }
    if (scheme !== "bearer" || !params.realm) return false;
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set("service", params.service);
    tokenUrl.searchParams.set("scope", params.scope ?? `repository:${this.ref.repository}:pull`);
    const res = await this.send(tokenUrl.toString(), this.opts.credentials ? { Authorization: this.basic() } : {});
    if (!res.ok) throw new RegistryError("unauthorized", `token endpoint ${tokenUrl.origin}${tokenUrl.pathname} answered ${res.status} for ${url}`, res.status);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError("protocol", `token endpoint ${tokenUrl.origin}${tokenUrl.pathname} returned no token`);
    this.authorization = `Bearer ${token}`;
    return true;
  }

  /** GET with authentication and manual redirects (credentials never follow to another origin). */
  async get(path: string, accept: string): Promise<{ body: Buffer; contentType: string; digestHeader?: string }> {
    const url = `${registryBaseUrl(this.ref.registry)}${path}`;
    let res = await this.send(url, { Accept: accept, ...(this.authorization ? { Authorization: this.authorization } : {}) });
    if (res.status === 401 && (await this.authenticate(res.headers.get("www-authenticate"), url))) {
      res = await this.send(url, { Accept: accept, Authorization: this.authorization! });
    }
    for (let hops = 0; res.status >= 300 && res.status < 400 && res.headers.get("location") && hops < 5; hops++) {
      const next = new URL(res.headers.get("location")!, url);
      const sameOrigin = next.origin === new URL(url).origin;
      res = await this.send(next.toString(), { Accept: accept, ...(sameOrigin && this.authorization ? { Authorization: this.authorization } : {}) });
    }
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError("unauthorized", `${url}: ${res.status} ${res.statusText}${this.authorization ? " (credentials refused)" : " (anonymous access refused)"}`, res.status);
    }
    if (res.status === 404) throw new RegistryError("not-found", `${url}: 404 not found`, 404);
    if (!res.ok) throw new RegistryError("protocol", `${url}: ${res.status} ${res.statusText}`, res.status);
    const body = Buffer.from(await res.arrayBuffer());
    return { body, contentType: (res.headers.get("content-type") ?? "").split(";")[0].trim(), digestHeader: res.headers.get("docker-content-digest") ?? undefined };
  }
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

function parseJson(body: Buffer, what: string): any {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new RegistryError("protocol", `${what} is not JSON`);
  }
}

/**
 * Reads an image's configuration from its registry: the manifest by tag or digest, an index resolved to
 * `opts.platform`, then the config blob. Every document fetched by digest is checked against it.
 */
export async function fetchImageConfig(ref: ImageRef, opts: FetchImageOptions): Promise<ImageConfigResult> {
  const session = new Session(ref, opts);
  const repo = `/v2/${ref.repository}`;
  const getManifest = async (reference: string) => {
    const res = await session.get(`${repo}/manifests/${reference}`, ACCEPT);
    const digest = sha256(res.body);
    if (reference.startsWith("sha256:") && digest !== reference) {
      throw new RegistryError("protocol", `manifest ${reference} has digest ${digest}: content does not match its digest`);
    }
    if (res.digestHeader && res.digestHeader.startsWith("sha256:") && res.digestHeader !== digest) {
      throw new RegistryError("protocol", `manifest ${reference}: Docker-Content-Digest ${res.digestHeader} but the content hashes to ${digest}`);
    }
    const json = parseJson(res.body, `manifest ${reference}`);
    return { json, digest, mediaType: (json.mediaType as string | undefined) ?? res.contentType };
  };

  const top = await getManifest(ref.digest ?? ref.tag ?? "latest");
  let manifest = top;
  let indexDigest: string | undefined;
  if (top.mediaType === MEDIA_TYPES.ociIndex || top.mediaType === MEDIA_TYPES.dockerList) {
    indexDigest = top.digest;
    const entries = (top.json.manifests ?? []) as Descriptor[];
    const wanted = opts.platform;
    const chosen = entries.find((d) => d.platform?.os === wanted.os && d.platform?.architecture === wanted.architecture);
    if (!chosen) {
      const offered = entries.map((d) => `${d.platform?.os ?? "?"}/${d.platform?.architecture ?? "?"}${d.platform?.variant ? `/${d.platform.variant}` : ""}`);
      throw new RegistryError("not-found", `${ref.original} is a multi-platform index without ${wanted.os}/${wanted.architecture} (it offers ${offered.join(", ") || "nothing"})`);
    }
    manifest = await getManifest(chosen.digest);
    if (manifest.mediaType === MEDIA_TYPES.ociIndex || manifest.mediaType === MEDIA_TYPES.dockerList) {
      throw new RegistryError("protocol", `${ref.original}: the ${wanted.os}/${wanted.architecture} entry ${chosen.digest} is another index`);
    }
  }
  if (manifest.mediaType !== MEDIA_TYPES.ociManifest && manifest.mediaType !== MEDIA_TYPES.dockerManifest) {
    throw new RegistryError("protocol", `${ref.original}: unsupported manifest media type "${manifest.mediaType}" (Docker schema 1 images cannot be read)`);
  }
  const configDigest = manifest.json.config?.digest as string | undefined;
  if (!configDigest || !/^sha256:[0-9a-f]{64}$/.test(configDigest)) throw new RegistryError("protocol", `${ref.original}: manifest ${manifest.digest} has no sha256 config digest`);
  const blob = await session.get(`${repo}/blobs/${configDigest}`, "application/vnd.oci.image.config.v1+json, application/vnd.docker.container.image.v1+json, */*");
  if (sha256(blob.body) !== configDigest) {
    throw new RegistryError("protocol", `config blob ${configDigest} hashes to ${sha256(blob.body)}: content does not match its digest`);
  }
  return {
    config: parseJson(blob.body, `config blob ${configDigest}`) as ImageConfig,
    manifestDigest: manifest.digest,
    indexDigest,
    configDigest,
    mediaType: top.mediaType,
  };
}
