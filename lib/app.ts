/**
 * Builds the cdktf App from validated environments: one stack per environment plus the state
 * bootstrap stack. Kept apart from main.ts so tests build exactly what `cdktf synth` builds.
 */
import { App } from "cdktf";
import { EnvironmentConfig } from "./config/schema";
import { StateBootstrapStack, StateLocations } from "../stacks/bootstrap-stack";
import { ZenmlHybridStack } from "../stacks/zenml-stack";

import { BOOTSTRAP_STACK } from "./config/load";

/** Adds one {@link ZenmlHybridStack} per environment and one {@link StateBootstrapStack} to `app`. */
export function buildApp(app: App, environments: readonly EnvironmentConfig[]): App {
  for (const config of environments) {
    new ZenmlHybridStack(app, config.envName, { config });
  }
  new StateBootstrapStack(app, BOOTSTRAP_STACK, stateLocations(environments));
  return app;
}

/** Distinct state buckets and lock tables across environments. */
export function stateLocations(environments: readonly EnvironmentConfig[]): StateLocations {
  const unique = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((t) => [key(t), t])).values()];
  return {
    buckets: unique(environments.map(({ state }) => ({ name: state.bucket, region: state.region })), (b) => b.name),
    lockTables: unique(
      environments.flatMap(({ state }) => (state.dynamodbTable ? [{ name: state.dynamodbTable, region: state.region }] : [])),
      (t) => `${t.region}/${t.name}`,
    ),
  };
}
