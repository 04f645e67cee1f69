#!/usr/bin/env node
/**
 * `node dist/scripts/snapshot.js --region R --db-instance ID --cluster C --service S --container N --to VERSION
 * [--max-wait-seconds 3600]`: the pre-migration snapshot step. Terraform runs it (local-exec of the
 * `terraform_data` in modules/pre-migration-snapshot.ts) when `zenml.version` changes, before the new
 * task definition exists. Prints one line; exit 0 when the snapshot is available or none is needed,
 * 1 when it failed (the deploy then stops before any migration), 2 on bad arguments. Honours the AWS
 * SDK's usual settings (credentials chain, AWS_ENDPOINT_URL).
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { RDSClient } from "@aws-sdk/client-rds";
import { exitWith, runCli } from "./common/cli";
import { parseSnapshotArgs, SNAPSHOT_COMMAND, takePreMigrationSnapshot } from "./snapshot/pre-migration";

async function main(argv: readonly string[]): Promise<number> {
  const request = parseSnapshotArgs(argv);
  const ecs = new ECSClient({ region: request.region });
  const rds = new RDSClient({ region: request.region });
  try {
    const result = await takePreMigrationSnapshot({ ecs, rds }, request);
    console.log(
      result.taken
        ? `pre-migration snapshot ${result.identifier} of ${request.dbInstance} (${result.from} → ${result.to}) is available`
        : `no pre-migration snapshot: ${result.reason}`,
    );
    return 0;
  } catch (e) {
    console.error(`pre-migration snapshot of ${request.dbInstance} failed, so nothing is migrated: ${(e as Error).message}`);
    return 1;
  } finally {
    ecs.destroy();
    rds.destroy();
  }
}

exitWith(SNAPSHOT_COMMAND, runCli(SNAPSHOT_COMMAND, process.argv.slice(2), () => main(process.argv.slice(2))));
