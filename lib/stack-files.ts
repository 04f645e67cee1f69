/**
 * Files a synthesized stack needs at apply time, written beside its `cdk.tf.json` so that the stack
 * folder (`<outdir>/stacks/<stack>/`) applies on its own: from a copy, a plan artifact in a later CI
 * job, or a remote runner, with nothing from this repository. Today that is the pre-migration snapshot
 * command, bundled with the AWS SDK into one file by `npm run build` (esbuild).
 */
import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { PRE_MIGRATION_SNAPSHOT_FILE, PreMigrationSnapshot } from "../modules/pre-migration-snapshot";

/** Folder of the bundled stack files, relative to dist/ (what `npm run build` writes). */
export const STACK_FILES_DIR = "stack-files";

/**
 * Copies {@link PRE_MIGRATION_SNAPSHOT_FILE} from `bundleDir` into the folder of every synthesized stack
 * that has a {@link PreMigrationSnapshot} step. Throws, naming the missing file, when the bundle was not built.
 */
export function writeStackFiles(app: App, outdir: string, bundleDir: string): void {
  const source = path.join(bundleDir, PRE_MIGRATION_SNAPSHOT_FILE);
  for (const stack of app.node.children) {
    if (!(stack instanceof TerraformStack)) continue;
    if (!stack.node.children.some((c) => c instanceof PreMigrationSnapshot)) continue;
    if (!fs.existsSync(source)) throw new Error(`${source} is missing: run \`npm run build\` (it bundles scripts/snapshot.ts there)`);
    fs.copyFileSync(source, path.join(outdir, "stacks", stack.node.id, PRE_MIGRATION_SNAPSHOT_FILE));
  }
}
