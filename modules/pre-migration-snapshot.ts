import { Construct } from "constructs";
import { TerraformData } from "../lib/terraform-data";

/**
 * The snapshot command as one self-contained file (scripts/snapshot.ts with the AWS SDK, bundled by
 * `npm run build`), which main.ts writes beside `cdk.tf.json` of every stack with this step: the stack
 * folder applies from anywhere with only `node` (>= 20) and AWS credentials.
 */
export const PRE_MIGRATION_SNAPSHOT_FILE = "pre-migration-snapshot.js";

/** Props of {@link PreMigrationSnapshot}. */
export interface PreMigrationSnapshotProps {
  /**
   * The ZenML version this deploy rolls out (`zenml.version`): a new value replaces the step, which
   * snapshots the database before the new task definition exists.
   * @default none (required)
   */
  readonly version: string;
  /**
   * Region of the database and the service.
   * @default none (required)
   */
  readonly region: string;
  /**
   * Identifier of the DB instance to snapshot (a reference, so the step runs after the instance exists).
   * @default none (required)
   */
  readonly dbInstanceIdentifier: string;
  /**
   * ECS cluster and service whose running task definition names the version being replaced, and the
   * server container in it (literal names: referencing the service would make a cycle).
   * @default none (required)
   */
  readonly clusterName: string;
  readonly serviceName: string;
  readonly containerName: string;
}

/**
 * A snapshot before every migration: a `terraform_data` whose `triggers_replace` is `zenml.version`,
 * so a version change replaces it, and its create-time `local-exec` provisioner runs
 * `scripts/snapshot.ts` (`CreateDBSnapshot`, then waits until the snapshot is available). The task
 * definition depends on it, so the new revision (whose migration container runs `zenml
 * migrate-database`) is registered only after the snapshot exists; a failed snapshot fails the apply
 * before anything migrates. The snapshot is not a Terraform resource, so no later deploy deletes it.
 *
 * The old version is read at apply time from what runs: the image tag of the server container in the
 * service's current task definition (the schema in the database is that version's). Terraform gives a
 * create-time provisioner only the new object (`self`), and a `terraform_remote_state` of the stack's
 * own state fails on the first deploy ("Unable to find remote state"), so state cannot provide it.
 * First deploy (no service yet) and an unchanged version take no snapshot. The command runs
 * {@link PRE_MIGRATION_SNAPSHOT_FILE} from the stack folder (`path.module`), so nothing outside the folder
 * is needed at apply time.
 */
export class PreMigrationSnapshot extends Construct {
  /** The step; the task definition depends on it. */
  public readonly step: TerraformData;

  constructor(scope: Construct, id: string, props: PreMigrationSnapshotProps) {
    super(scope, id);
    const args = [
      `--region ${props.region}`,
      `--db-instance ${props.dbInstanceIdentifier}`,
      `--cluster ${props.clusterName}`,
      `--service ${props.serviceName}`,
      `--container ${props.containerName}`,
      "--to ${self.input.version}",
    ].join(" ");
    this.step = new TerraformData(this, "step", {
      input: { version: props.version },
      triggersReplace: { version: props.version },
      provisioners: [
        {
          type: "local-exec",
          // path.module: the stack folder, where main.ts writes the bundled script.
          command: `node "\${path.module}/${PRE_MIGRATION_SNAPSHOT_FILE}" ${args}`,
          // Quiet: the step prints its one line, not Node's or the SDK's runtime notices.
          environment: { NODE_OPTIONS: "--no-warnings" },
        },
      ],
    });
  }
}
