#!/usr/bin/env node
/**
 * Entry point of `cdktf synth|diff|deploy|destroy`: load and validate every environment file once,
 * build one stack per environment, check them against the policy pack, synthesize, and write the
 * policy report and scanner files next to each stack (<outdir>/stacks/<stack>/policy/) and the files
 * its apply runs (lib/stack-files.ts). Invalid config
 * or a policy violation prints every problem and exits 1 before anything is written. The policy pack
 * prints one summary line; ZENML_VERBOSE=1 also prints every suppression with its reason.
 */
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { buildApp } from "./lib/app";
import { ConfigError, loadEnvironments, zenmlVersionWarning } from "./lib/config/load";
import { PolicyViolationError, writePolicyOutputs } from "./lib/policy";
import { recordSynthInputs } from "./lib/synth-inputs";
import { STACK_FILES_DIR, writeStackFiles } from "./lib/stack-files";
import { setUpSynthRuntime } from "./lib/synth-runtime";

// No token creation stack traces (a quarter of a large synth) unless ZENML_CREATION_STACKS=1; each
// Terraform function's arguments resolved once (lib/synth-runtime.ts).
setUpSynthRuntime(process.env.ZENML_CREATION_STACKS);

const configDir = process.env.ZENML_CONFIG_DIR ?? path.join(__dirname, "..", "config");
// new App() creates the output folder; remember whether it existed so a policy failure leaves nothing behind.
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
const outdirExisted = fs.existsSync(outdir);
try {
  const environments = loadEnvironments(configDir);
  const versionWarning = zenmlVersionWarning(environments);
  if (versionWarning) console.warn(versionWarning);
  // buildApp adds the policy pack (lib/policy) as an aspect: a violation fails synth before any stack is written.
  const app = buildApp(new App(), environments, {
    policyVerbose: ["1", "true"].includes(process.env.ZENML_VERBOSE ?? ""),
    policyReportHint: `${path.join(outdir, "stacks", "<stack>", "policy")}/`,
  });
  app.synth();
  const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string };
  writePolicyOutputs(app, app.outdir, version);
  // What this synthesis was made from: npm run cost/diagram reuse it while the inputs are unchanged.
  recordSynthInputs(app.outdir, path.join(__dirname, ".."), configDir);
  // What runs at apply time travels in the stack folder (dist/main.js's folder holds the bundles).
  writeStackFiles(app, app.outdir, path.join(__dirname, STACK_FILES_DIR));
} catch (e) {
  if (!(e instanceof ConfigError || e instanceof PolicyViolationError)) throw e;
  console.error(e.message);
  if (!outdirExisted) fs.rmSync(outdir, { recursive: true, force: true });
  process.exit(1);
}
