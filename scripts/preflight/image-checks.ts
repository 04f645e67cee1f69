/**
 * Checks of an image's configuration (as read from its registry) against the task that runs it:
 * the port, the command, the user, the mounts and the version. Pure functions of the config and the
 * server container (scripts/preflight/task.ts).
 */
import { CheckResult } from "../common/checks";
import { ImageConfig, ImageRef } from "../common/oci-registry";
import { result } from "./result";
import { ServerContainer } from "./task";

/** Check ids and titles of the image checks, in report order. */
export const IMAGE_CHECKS = {
  config: "image-config",
  port: "image-port",
  command: "image-command",
  user: "image-user",
  mounts: "image-mounts",
  version: "image-version",
} as const;

/** Titles of the image checks, by id. */
export const IMAGE_CHECK_TITLES: Record<(typeof IMAGE_CHECKS)[keyof typeof IMAGE_CHECKS], string> = {
  "image-config": "Image configuration",
  "image-port": "Image port",
  "image-command": "Server command",
  "image-user": "Server user",
  "image-mounts": "Mounts over HOME and PATH",
  "image-version": "Image version",
};

/** `KEY=value` entries of the config's Env as a record. */
export function envOf(config: ImageConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of config.config?.Env ?? []) {
    const i = e.indexOf("=");
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

/** Ports the image exposes, as `8080/tcp`. */
function exposedPorts(config: ImageConfig): string[] {
  return Object.keys(config.config?.ExposedPorts ?? {}).map((p) => (p.includes("/") ? p : `${p}/tcp`));
}

const q = (argv: readonly string[]) => JSON.stringify(argv);

/** `ExposedPorts` contains the port the load balancer sends to. */
export function checkPort(server: ServerContainer, config: ImageConfig): CheckResult {
  const exposed = exposedPorts(config);
  const title = IMAGE_CHECK_TITLES[IMAGE_CHECKS.port];
  if (exposed.includes(`${server.port}/tcp`)) return result(IMAGE_CHECKS.port, title, "pass", `exposes ${server.port}/tcp`, [`ExposedPorts: ${exposed.join(", ")}`]);
  const tcp = exposed.filter((p) => p.endsWith("/tcp")).map((p) => p.split("/")[0]);
  return result(
    IMAGE_CHECKS.port,
    title,
    "fail",
    exposed.length ? `the image exposes ${exposed.join(", ")}, not ${server.port}/tcp` : `the image exposes no port (no EXPOSE), not ${server.port}/tcp`,
    [`the load balancer, health check and security groups use ${server.port} (service.containerPort)`],
    {
      cause: `the load balancer's health checks on ${server.port} reach nothing the image listens on: ECS replaces the tasks over and over`,
      fix:
        tcp.length === 1
          ? `set service.containerPort to ${tcp[0]} (what the image exposes), or make the server listen on ${server.port} with service.command`
          : `set service.containerPort to the port the server listens on${tcp.length ? ` (one of ${tcp.join(", ")})` : ""}`,
      source: "zenml-io/zenml docker/base.Dockerfile (EXPOSE 8080; CMD uvicorn ... --port 8080)",
    },
  );
}

/** The ports an argv asks a server to listen on: `--port N`, `--port=N`, `--bind/-b host:N` (uvicorn, gunicorn). */
export function argvPorts(argv: readonly string[]): number[] {
  const out: number[] = [];
  argv.forEach((a, i) => {
    const next = argv[i + 1] ?? "";
    let m: RegExpExecArray | null;
    if (a === "--port" && /^\d+$/.test(next)) out.push(Number(next));
    else if ((m = /^--port=(\d+)$/.exec(a))) out.push(Number(m[1]));
    else if ((a === "--bind" || a === "-b") && (m = /:(\d+)$/.exec(next))) out.push(Number(m[1]));
    else if ((m = /^--bind=.*:(\d+)$/.exec(a))) out.push(Number(m[1]));
  });
  return out;
}

/**
 * What the container runs (Docker's rule, moby `daemon/commit.go` `merge`, which ECS follows): the
 * task's entryPoint or the image's Entrypoint, then the task's command, else the image's Cmd only when
 * the entry point is not overridden.
 */
export function effectiveArgv(server: ServerContainer, config: ImageConfig): { entrypoint: string[]; cmd: string[]; cmdFrom: "task" | "image" } {
  const entrypoint = server.entryPoint ?? config.config?.Entrypoint ?? [];
  if (server.command) return { entrypoint, cmd: server.command, cmdFrom: "task" };
  return { entrypoint, cmd: server.entryPoint ? [] : (config.config?.Cmd ?? []), cmdFrom: "image" };
}

/** Entrypoint/Cmd and `service.command` agree with the container port. */
export function checkCommand(server: ServerContainer, config: ImageConfig): CheckResult {
  const title = IMAGE_CHECK_TITLES[IMAGE_CHECKS.command];
  const { entrypoint, cmd, cmdFrom } = effectiveArgv(server, config);
  const argv = [...entrypoint, ...cmd];
  const evidence = [
    `Entrypoint ${q(entrypoint)}${server.entryPoint ? " (task entryPoint)" : " (image)"}, Cmd ${q(cmd)} (${cmdFrom === "task" ? "service.command" : "image"})`,
  ];
  const source = "moby daemon/commit.go merge(): the image's Cmd applies only when the entry point is not overridden";
  if (argv.length === 0) {
    return result(IMAGE_CHECKS.command, title, "fail", "the image has neither Entrypoint nor Cmd and the task sets no command: nothing to run", evidence, {
      cause: "the container has no process to start",
      fix: "set service.command",
      source,
    });
  }
  const ports = argvPorts(argv);
  const wrong = ports.filter((p) => p !== server.port);
  if (wrong.length === 0) {
    return result(IMAGE_CHECKS.command, title, "pass", ports.length ? `listens on ${ports[0]}` : "names no port: the image's entrypoint decides (the image port is checked separately)", evidence);
  }
  const fix =
    cmdFrom === "image"
      ? `set service.containerPort to ${wrong[0]} (the image's CMD), or set service.command with --port ${server.port}`
      : `make the port in service.command equal service.containerPort (${server.port})`;
  return result(IMAGE_CHECKS.command, title, "fail", `the command listens on ${wrong.join(", ")}, the task sends traffic to ${server.port}`, evidence, {
    cause: "the server listens where the load balancer does not send: health checks fail and the tasks are replaced",
    fix,
    source,
  });
}

/** Whether a user spec runs as root: empty (the default), `0`, `root`, `0:…`, `root:…`. */
export function isRootUser(user: string | undefined): boolean {
  const name = (user ?? "").split(":")[0].trim();
  return name === "" || name === "0" || name === "root";
}

/** The server does not run as root. */
export function checkUser(server: ServerContainer, config: ImageConfig): CheckResult {
  const title = IMAGE_CHECK_TITLES[IMAGE_CHECKS.user];
  const user = server.user ?? config.config?.User ?? "";
  const from = server.user !== undefined ? "the task's user" : "the image's User";
  if (!isRootUser(user)) return result(IMAGE_CHECKS.user, title, "pass", `${user} (${from})`);
  return result(IMAGE_CHECKS.user, title, "fail", `runs as root: ${from} is ${user === "" ? "empty" : `"${user}"`}`, [], {
    cause: "the server would run with root privileges in the task",
    fix: "use an image whose USER is non-root (ZenML's server image runs as zenml, UID 1000)",
    source: "zenml-io/zenml docker/base.Dockerfile (USER $USERNAME)",
  });
}

/** Whether a mount at `mount` hides `path` (the same directory or one of its parents). */
const hides = (mount: string, path: string) => {
  const m = mount.replace(/\/+$/, "") || "/";
  const p = path.replace(/\/+$/, "") || "/";
  return p === m || p.startsWith(m === "/" ? "/" : `${m}/`);
};

/**
 * The image's HOME, and how it is known: Env `HOME=` is exact; otherwise Docker takes it from the
 * image's /etc/passwd at run time, which preflight does not read (it is in the layers): for a named
 * user the `useradd -m` convention `/home/<name>` (`/root` for root) is assumed; for a numeric UID it
 * is unknown.
 */
export function imageHome(config: ImageConfig, user: string): { home?: string; how: string } {
  const env = envOf(config);
  if (env.HOME) return { home: env.HOME, how: "the image's Env HOME" };
  const name = user.split(":")[0];
  if (isRootUser(user)) return { home: "/root", how: "root's home (not in the image's Env)" };
  if (/^\d+$/.test(name)) return { how: `UID ${name} has no HOME in the image's Env; its /etc/passwd entry is in the layers, which preflight does not read` };
  return { home: `/home/${name}`, how: `assumed for user ${name} (useradd -m; the image's Env has no HOME and its /etc/passwd is not read)` };
}

/** No writable mount hides the image's HOME or a PATH entry. */
export function checkMounts(server: ServerContainer, config: ImageConfig): CheckResult {
  const title = IMAGE_CHECK_TITLES[IMAGE_CHECKS.mounts];
  const user = server.user ?? config.config?.User ?? "";
  const { home, how } = imageHome(config, user);
  const pathValue = server.environment.PATH ?? envOf(config).PATH ?? "";
  const pathFrom = server.environment.PATH !== undefined ? "the task's PATH" : "the image's PATH";
  const entries = pathValue.split(":").filter(Boolean);
  const evidence = [
    home ? `HOME ${home}: ${how}` : `HOME unknown: ${how}`,
    `${pathFrom}: ${pathValue || "(none)"}`,
    `writable mounts: ${server.mounts.map((m) => m.containerPath).join(", ") || "none"}`,
  ];
  const problems: string[] = [];
  for (const m of server.mounts) {
    if (home && hides(m.containerPath, home)) problems.push(`volume ${m.sourceVolume} at ${m.containerPath} hides the image's HOME ${home}`);
    for (const e of entries) if (hides(m.containerPath, e)) problems.push(`volume ${m.sourceVolume} at ${m.containerPath} hides PATH entry ${e}`);
  }
  if (problems.length === 0) return result(IMAGE_CHECKS.mounts, title, "pass", `no writable mount hides ${home ? `HOME ${home} or ` : ""}a PATH entry`, evidence);
  return result(IMAGE_CHECKS.mounts, title, "fail", problems.join("; "), evidence, {
    cause: "the empty volume hides what the image keeps there (programs on PATH, files in HOME) from the server",
    fix: "mount the writable HOME elsewhere (e.g. /zenml/home, with HOME pointing there) so the image keeps its own files",
    source: "zenml-io/zenml docker/base.Dockerfile (useradd -m; ENV PATH=...:/home/$USERNAME/.local/bin:...)",
  });
}

/** Labels and Env that declare a version, in order of preference. */
export const VERSION_SOURCES = [
  { kind: "label", key: "org.opencontainers.image.version" },
  { kind: "label", key: "org.label-schema.version" },
  { kind: "label", key: "zenml.version" },
  { kind: "env", key: "ZENML_VERSION" },
] as const;

/** The version the image declares, compared with its tag. */
export function checkVersion(ref: ImageRef, config: ImageConfig): CheckResult {
  const title = IMAGE_CHECK_TITLES[IMAGE_CHECKS.version];
  const labels = config.config?.Labels ?? {};
  const env = envOf(config);
  const found = VERSION_SOURCES.map((s) => ({ ...s, value: s.kind === "label" ? labels[s.key] : env[s.key] })).find((s) => s.value);
  const tag = ref.tag ?? (ref.digest ? undefined : "latest");
  const norm = (v: string) => v.trim().replace(/^v/i, "");
  const tagText = tag ? `tag ${tag}` : `digest ${ref.digest}`;
  if (!found) {
    return result(IMAGE_CHECKS.version, title, "skip", `the image declares no version; ${tagText}`, [`looked for ${VERSION_SOURCES.map((s) => `${s.kind} ${s.key}`).join(", ")}`]);
  }
  const declared = `${found.kind} ${found.key}=${found.value}`;
  if (!tag || norm(found.value!) === norm(tag)) return result(IMAGE_CHECKS.version, title, "pass", `declares ${found.value} (${found.kind} ${found.key}), ${tagText}`, [declared]);
  return result(IMAGE_CHECKS.version, title, "fail", `the image declares ${found.value} but its tag is ${tag}`, [declared], {
    cause: "zenml.version does not describe the image, and the settings that depend on the release (ZENML_STORE_SSL, log levels) may not fit it",
    fix: `set zenml.version to the release the image contains (${norm(found.value!)}), or use the image tag that contains ${norm(tag)}`,
  });
}
