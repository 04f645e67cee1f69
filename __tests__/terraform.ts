/**
 * The real Terraform CLI for the test suites that validate synthesized output. Without terraform on
 * PATH those suites are skipped locally with a warning and fail in CI (CI=true).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { ROOT } from "./helpers";

const TF_ENV = path.join(ROOT, "scripts", "tf-env.sh");

/** `terraform version -json`, when terraform is on PATH. */
export const terraformVersion = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
/** Whether terraform is on PATH. */
export const terraformAvailable = terraformVersion.status === 0;

/**
 * `describe` when terraform is available (or in CI, where a missing terraform must fail), else
 * `describe.skip` after a warning naming what was skipped.
 */
export function describeWithTerraform(purpose: string): { describe: jest.Describe; missing: string } {
  const missing = `terraform CLI not found on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) to ${purpose}`;
  if (!terraformAvailable && !process.env.CI) console.warn(`SKIPPED: ${missing}`);
  return { describe: terraformAvailable || process.env.CI ? describe : describe.skip, missing };
}

/** `terraform <args>` in `cwd` with the project's settings (scripts/tf-env.sh: offline mirror, no checkpoint). */
export function terraform(cwd: string, ...args: string[]) {
  const r = spawnSync(TF_ENV, ["terraform", ...args], { cwd, encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1" } });
  return { ok: r.status === 0, stdout: r.stdout, output: `${r.stdout}\n${r.stderr}` };
}

/** A diagnostic of `terraform validate -json`. */
export interface Diagnostic {
  severity: string;
  summary: string;
  detail: string;
  range?: { filename: string };
}
