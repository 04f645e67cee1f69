/**
 * What a synthesis is made from, as one fingerprint: the app's sources (main.ts, lib/, stacks/,
 * modules/), the pinned dependencies and build settings, and the environment files. main.ts records it
 * next to the stacks it writes; the report commands (`npm run cost`, `npm run diagram`) compare it with
 * the current inputs, so they reuse a synthesis that is still current, whatever a build did to the
 * compiled files' modification times.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The record main.ts writes into the cdktf output folder. */
export const SYNTH_INPUTS_FILE = "synth-inputs.json";

/** Sources of the app relative to the project root (folders are read recursively, .ts files only). */
const APP_SOURCES = ["main.ts", "lib", "stacks", "modules", "package-lock.json", "tsconfig.json", "cdktf.json"] as const;

function filesBelow(p: string, pattern: RegExp): string[] {
  if (!fs.existsSync(p)) return [];
  if (fs.statSync(p).isFile()) return [p];
  return fs
    .readdirSync(p, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesBelow(path.join(p, e.name), pattern) : pattern.test(e.name) ? [path.join(p, e.name)] : []));
}

/** The fingerprint of the sources below `root` and the environment files in `configDir`. */
export function synthInputsFingerprint(root: string, configDir: string): string {
  const hash = createHash("sha256");
  const add = (label: string, file: string) => hash.update(`${label}\0${fs.readFileSync(file)}\0`);
  for (const source of APP_SOURCES) {
    for (const file of filesBelow(path.join(root, source), /\.ts$/)) add(path.relative(root, file), file);
  }
  hash.update(`config:${path.resolve(configDir)}\0`);
  const configs = fs.existsSync(configDir) ? fs.readdirSync(configDir).filter((f) => f.endsWith(".json")).sort() : [];
  for (const file of configs) add(file, path.join(configDir, file));
  return hash.digest("hex");
}

/** Records the fingerprint of a synthesis into its output folder. */
export function recordSynthInputs(outdir: string, root: string, configDir: string): void {
  fs.writeFileSync(path.join(outdir, SYNTH_INPUTS_FILE), `${JSON.stringify({ fingerprint: synthInputsFingerprint(root, configDir) }, null, 2)}\n`);
}

/** The fingerprint recorded in `outdir`, or undefined when none was. */
export function recordedSynthInputs(outdir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(outdir, SYNTH_INPUTS_FILE), "utf8")) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}
