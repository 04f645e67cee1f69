#!/usr/bin/env node
/**
 * Entry point of `cdktf synth|diff|deploy|destroy`: load and validate every environment file once,
 * build one stack per environment, synthesize. Invalid config prints every problem and exits 1
 * before anything is written.
 */
import * as path from "path";
import { App } from "cdktf";
import { buildApp } from "./lib/app";
import { ConfigError, loadEnvironments } from "./lib/config/load";

const configDir = process.env.ZENML_CONFIG_DIR ?? path.join(__dirname, "..", "config");
try {
  const environments = loadEnvironments(configDir);
  buildApp(new App(), environments).synth();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
