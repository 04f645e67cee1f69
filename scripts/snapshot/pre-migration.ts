/**
 * The pre-migration snapshot (modules/pre-migration-snapshot.ts runs it from a `local-exec`
 * provisioner when `zenml.version` changes): find the version the service runs now, snapshot the
 * database named after both versions, wait until the snapshot is available.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { InputError } from "../common/checks";
import { CommandSpec, parseCommand } from "../common/cli";
import { CreateDBSnapshotCommand, DescribeDBSnapshotsCommand, RDSClient, waitUntilDBSnapshotAvailable } from "@aws-sdk/client-rds";

/** What the step is told (all required). */
export interface SnapshotRequest {
  readonly region: string;
  readonly dbInstance: string;
  readonly cluster: string;
  readonly service: string;
  readonly container: string;
  /** The version being rolled out. */
  readonly to: string;
  /** Longest wait for the snapshot to become available. */
  readonly maxWaitSeconds: number;
}

/** Bad command-line input (exit code 2): the shared {@link InputError}. */
export { InputError as UsageError };

const FLAGS = ["region", "db-instance", "cluster", "service", "container", "to", "max-wait-seconds"] as const;

/** Options and usage text of the snapshot step (run by Terraform, not by hand). */
export const SNAPSHOT_COMMAND: CommandSpec = {
  name: "snapshot",
  invocation: "node dist/scripts/snapshot.js",
  synopsis: "--region R --db-instance ID --cluster C --service S --container N --to VERSION [--max-wait-seconds 3600]",
  summary: `The pre-migration snapshot step: Terraform runs it (local-exec of modules/pre-migration-snapshot.ts) when
zenml.version changes, before the new task definition exists. Prints one line.`,
  options: {
    region: { type: "string", value: "REGION", description: "region of the database" },
    "db-instance": { type: "string", value: "ID", description: "RDS instance identifier" },
    cluster: { type: "string", value: "NAME", description: "ECS cluster" },
    service: { type: "string", value: "NAME", description: "ECS service" },
    container: { type: "string", value: "NAME", description: "server container (its image tag is the running version)" },
    to: { type: "string", value: "VERSION", description: "the version being rolled out" },
    "max-wait-seconds": { type: "string", value: "N", description: "longest wait for the snapshot (default 3600)" },
  },
  exit: "0 snapshot available or none needed, 1 failed (nothing is migrated), 2 bad arguments",
};

/** Parses the arguments; every option but --max-wait-seconds (default 3600) is required. */
export function parseSnapshotArgs(argv: readonly string[]): SnapshotRequest {
  const args = parseCommand(SNAPSHOT_COMMAND, argv);
  const values = new Map(FLAGS.flatMap((f) => (args.string(f) === undefined ? [] : [[f, args.string(f)!] as const])));
  const missing = FLAGS.filter((f) => f !== "max-wait-seconds" && !values.has(f));
  if (missing.length > 0) throw new InputError(`missing ${missing.map((f) => `--${f}`).join(", ")}`);
  const maxWaitSeconds = Number(values.get("max-wait-seconds") ?? 3600);
  if (!Number.isInteger(maxWaitSeconds) || maxWaitSeconds < 1) throw new InputError("--max-wait-seconds must be a positive integer");
  return {
    region: values.get("region")!,
    dbInstance: values.get("db-instance")!,
    cluster: values.get("cluster")!,
    service: values.get("service")!,
    container: values.get("container")!,
    to: values.get("to")!,
    maxWaitSeconds,
  };
}

/** A version as RDS identifier characters: lower-case letters and digits, every other run a hyphen (`0.84.3` → `0-84-3`). */
export function versionSlug(version: string): string {
  return version.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * `<db-instance>-<old>-to-<new>`, e.g. `zenml-hybrid-db-0-84-3-to-0-85-0`: RDS snapshot identifiers are
 * 1-255 letters, digits and hyphens, start with a letter, have no two hyphens in a row and do not end
 * with one (RDS API reference, CreateDBSnapshot `DBSnapshotIdentifier`). `suffix` (a UTC timestamp)
 * makes a second snapshot of the same upgrade unique.
 */
export function snapshotIdentifier(dbInstance: string, from: string, to: string, suffix?: string): string {
  const id = [dbInstance, versionSlug(from), "to", versionSlug(to), ...(suffix ? [suffix] : [])].join("-").replace(/-{2,}/g, "-");
  return id.slice(0, 255).replace(/-+$/, "");
}

/** The tag of an image reference (`repo:tag`, `repo:tag@sha256:…`); undefined without one. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split("@")[0];
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > slash ? withoutDigest.slice(colon + 1) : undefined;
}

/** The version the service runs now: its task definition's server image tag; undefined before the first deploy. */
export async function runningVersion(ecs: ECSClient, r: SnapshotRequest): Promise<string | undefined> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster: r.cluster, services: [r.service] })).catch((e: Error) => {
    // The step runs before the cluster exists on a first deploy.
    if (e.name === "ClusterNotFoundException") return undefined;
    throw e;
  });
  const services = described?.services ?? [];
  const service = services.find((s) => s.status !== "INACTIVE");
  if (!service?.taskDefinition) return undefined;
  const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
  const container = taskDefinition?.containerDefinitions?.find((c) => c.name === r.container);
  if (!container?.image) throw new Error(`task definition ${service.taskDefinition} has no container ${r.container} with an image`);
  const tag = imageTag(container.image);
  if (!tag) throw new Error(`image ${container.image} of ${service.taskDefinition} has no tag; cannot name the version being replaced`);
  return tag;
}

/** The outcome, printed as one line. */
export type SnapshotResult =
  | { readonly taken: false; readonly reason: string }
  | { readonly taken: true; readonly identifier: string; readonly from: string; readonly to: string };

/** Takes the snapshot when the running version differs from `to`; waits until it is available. */
export async function takePreMigrationSnapshot(
  clients: { ecs: ECSClient; rds: RDSClient },
  r: SnapshotRequest,
  now: Date = new Date(),
): Promise<SnapshotResult> {
  const from = await runningVersion(clients.ecs, r);
  if (from === undefined) return { taken: false, reason: `no service ${r.service} in cluster ${r.cluster} yet (first deploy): nothing to migrate from` };
  if (from === r.to) return { taken: false, reason: `service ${r.service} already runs ${r.to}: no migration` };
  let identifier = snapshotIdentifier(r.dbInstance, from, r.to);
  const exists = await clients.rds
    .send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }))
    .then((o) => (o.DBSnapshots ?? []).length > 0)
    .catch((e: Error) => {
      if (e.name === "DBSnapshotNotFoundFault" || e.name === "DBSnapshotNotFound") return false;
      throw e;
    });
  // The same upgrade again (after a rollback): keep the earlier snapshot, name this one by time.
  if (exists) identifier = snapshotIdentifier(r.dbInstance, from, r.to, now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").toLowerCase());
  await clients.rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: r.dbInstance,
      DBSnapshotIdentifier: identifier,
      Tags: [
        { Key: "zenml:purpose", Value: "pre-migration" },
        { Key: "zenml:from-version", Value: from },
        { Key: "zenml:to-version", Value: r.to },
      ],
    }),
  );
  await waitUntilDBSnapshotAvailable(
    { client: clients.rds, maxWaitTime: r.maxWaitSeconds, minDelay: 5, maxDelay: 30 },
    { DBSnapshotIdentifier: identifier },
  );
  return { taken: true, identifier, from, to: r.to };
}
