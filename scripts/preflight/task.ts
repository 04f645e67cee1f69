/**
 * What preflight reads from a synthesized stack: the server container of the ECS service behind the
 * load balancer (image, port, entry point, command, user, mounts, environment), the task's platform,
 * the provider's allowed accounts and region, and how the OAuth2 client secret reaches the task.
 */
import { InputError } from "../common/checks";
import { TfJson, allResources, containerDefinitions, interpolations, stackRegion } from "../common/tf-json";

/** A writable mount of the server container. */
export interface Mount {
  readonly containerPath: string;
  readonly sourceVolume: string;
}

/** The server container as the task definition runs it. */
export interface ServerContainer {
  /** Container name (the service's load-balancer container). */
  readonly name: string;
  /** Address of the task definition resource. */
  readonly taskDefinition: string;
  readonly image: string;
  /** The port the load balancer sends to (the service's `container_port`). */
  readonly port: number;
  /** `entryPoint` override, when set. */
  readonly entryPoint?: string[];
  /** `command` override, when set. */
  readonly command?: string[];
  /** `user` override, when set. */
  readonly user?: string;
  /** Writable mounts (read-only ones cannot hide anything the server writes). */
  readonly mounts: Mount[];
  /** Plain environment variables. */
  readonly environment: Record<string, string>;
  /** The task's platform as an OCI platform (`runtime_platform`; Fargate's default is linux/amd64). */
  readonly platform: { os: string; architecture: string };
}

/** How the server gets `ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET`. */
export type OAuth2SecretSource =
  /** A secret the stack creates, with its name; the value is set by the operator (put-secret-value). */
  | { kind: "created"; name: string; address: string }
  /** A secret the stack creates and writes at deploy time from `TF_VAR_<variable>`. */
  | { kind: "variable"; name: string; address: string; variable: string }
  /** An existing secret, by ARN. */
  | { kind: "existing"; arn: string }
  /** Not found or computed otherwise. */
  | { kind: "unknown"; valueFrom?: string };

/** Everything preflight needs from one stack. */
export interface PreflightStack {
  readonly name: string;
  readonly file: string;
  readonly region?: string;
  /** The provider's allowed_account_ids; undefined: any account. */
  readonly allowedAccountIds?: string[];
  readonly server: ServerContainer;
  readonly oauth2Secret: OAuth2SecretSource;
}

/** The name of the variable carrying the OAuth2 client secret. */
export const OAUTH2_ENV = "ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET";

const ARCHITECTURES: Record<string, string> = { X86_64: "amd64", ARM64: "arm64" };

/** The single `${aws_x.name...}` address a value refers to, when it is exactly one reference. */
function refAddress(value: unknown, type: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const expr = interpolations(value)[0];
  const m = expr && new RegExp(`^(${type}\\.[A-Za-z_][\\w-]*)`).exec(expr);
  return m ? m[1] : undefined;
}

/** Reads the server container and the secrets preflight checks; throws InputError when the stack has none. */
export function readPreflightStack(name: string, file: string, json: TfJson): PreflightStack {
  const resources = allResources(json);
  const services = resources.filter((r) => r.type === "aws_ecs_service" && !r.isData && r.body.load_balancer);
  const service = services.find((s) => [s.body.load_balancer].flat()[0]?.container_name);
  if (!service) throw new InputError(`${file}: no aws_ecs_service with a load_balancer block: not a ZenML server stack`);
  const lb = [service.body.load_balancer].flat()[0];
  const tdAddress = refAddress(service.body.task_definition, "aws_ecs_task_definition");
  const td = resources.find((r) => r.address === tdAddress);
  if (!td) throw new InputError(`${file}: ${service.address}.task_definition does not reference an aws_ecs_task_definition of the stack`);
  const containers = containerDefinitions(td.body);
  const container = containers.find((c) => c?.name === lb.container_name);
  if (!container) throw new InputError(`${file}: ${td.address}.container_definitions has no container "${lb.container_name}" (the service's load_balancer.container_name)`);
  if (typeof container.image !== "string" || !container.image) throw new InputError(`${file}: container "${container.name}" of ${td.address} has no image`);
  const port = Number(lb.container_port);
  if (!Number.isInteger(port)) throw new InputError(`${file}: ${service.address}.load_balancer.container_port is not a number: ${JSON.stringify(lb.container_port)}`);
  const platform = [td.body.runtime_platform].flat()[0];
  const server: ServerContainer = {
    name: container.name,
    taskDefinition: td.address,
    image: container.image,
    port,
    entryPoint: container.entryPoint,
    command: container.command,
    user: container.user,
    mounts: ((container.mountPoints ?? []) as any[])
      .filter((m) => !m.readOnly)
      .map((m) => ({ containerPath: String(m.containerPath), sourceVolume: String(m.sourceVolume) })),
    environment: Object.fromEntries(((container.environment ?? []) as any[]).map((e) => [String(e.name), String(e.value)])),
    platform: { os: "linux", architecture: ARCHITECTURES[platform?.cpu_architecture ?? "X86_64"] ?? String(platform?.cpu_architecture).toLowerCase() },
  };
  const accounts = json.provider?.aws?.[0]?.allowed_account_ids;
  return {
    name,
    file,
    region: stackRegion(json),
    allowedAccountIds: Array.isArray(accounts) ? accounts.map(String) : undefined,
    server,
    oauth2Secret: oauth2SecretSource(json, container),
  };
}

function oauth2SecretSource(json: TfJson, container: any): OAuth2SecretSource {
  const valueFrom: unknown = ((container.secrets ?? []) as any[]).find((s) => s.name === OAUTH2_ENV)?.valueFrom;
  if (typeof valueFrom !== "string") return { kind: "unknown" };
  if (/^arn:aws[\w-]*:secretsmanager:/.test(valueFrom)) return { kind: "existing", arn: valueFrom };
  const address = refAddress(valueFrom, "aws_secretsmanager_secret");
  const body = address ? json.resource?.aws_secretsmanager_secret?.[address.split(".")[1]] : undefined;
  if (!address || typeof body?.name !== "string" || body.name.includes("${")) return { kind: "unknown", valueFrom };
  // With oauth2ClientSecretVariable the valueFrom pins the version a write-only secret version wrote from var.<name>.
  const versionAddress = refAddress(interpolations(valueFrom)[1] ? `\${${interpolations(valueFrom)[1]}}` : undefined, "aws_secretsmanager_secret_version");
  const version = versionAddress ? json.resource?.aws_secretsmanager_secret_version?.[versionAddress.split(".")[1]] : undefined;
  const variable = version ? /\$\{var\.([A-Za-z_][\w-]*)\}/.exec(String(version.secret_string_wo ?? ""))?.[1] : undefined;
  return variable ? { kind: "variable", name: body.name, address, variable } : { kind: "created", name: body.name, address };
}
