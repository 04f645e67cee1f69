#!/usr/bin/env node
/**
 * Entry point of `cdktf synth|diff|deploy|destroy`: load and validate every environment file once,
 * build one stack per environment, check them against the policy pack, synthesize. Invalid config or
 * a policy violation prints every problem and exits 1 before anything is written.
 */
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { buildApp } from "./lib/app";
import { ConfigError, loadEnvironments } from "./lib/config/load";
import { PolicyViolationError } from "./lib/policy";

const configDir = process.env.ZENML_CONFIG_DIR ?? path.join(__dirname, "..", "config");
// new App() creates the output folder; remember whether it existed so a policy failure leaves nothing behind.
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
const outdirExisted = fs.existsSync(outdir);
try {
  const environments = loadEnvironments(configDir);
  // buildApp adds the policy pack (lib/policy) as an aspect: a violation fails synth before any stack is written.
  buildApp(new App(), environments).synth();
} catch (e) {
  if (!(e instanceof ConfigError || e instanceof PolicyViolationError)) throw e;
  console.error(e.message);
  if (!outdirExisted) fs.rmSync(outdir, { recursive: true, force: true });
  process.exit(1);
}
