/**
 * Builds the cdktf App from validated config files: one stack per platform and environment file plus
 * the state bootstrap stack. Kept apart from main.ts so tests build exactly what `cdktf synth` builds.
 */
import { App, TerraformStack } from "cdktf";
import { BOOTSTRAP_STACK } from "./config/load";
import { AnyConfig, PlatformConfig } from "./config/schema";
import { singleDefaultTagsBlock } from "./default-tags";
import { applyPolicies } from "./policy";
import { resolveEachElementOnce } from "./resolve-once";
import { StateBootstrapStack, StateLocations } from "../stacks/bootstrap-stack";
import { PlatformStack } from "../stacks/platform-stack";
import { ZenmlHybridStack } from "../stacks/zenml-stack";

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Where the policy pack's summary line (and, with `policyVerbose`, every suppression) goes.
   * @default console.log
   */
  readonly policyLog?: (line: string) => void;
  /**
   * Log every suppression with its reason, not only the summary line.
   * @default false
   */
  readonly policyVerbose?: boolean;
  /**
   * Where the summary line says the suppressions are listed (main.ts: the stacks' policy folders).
   * @default "the policy report files (npm run policy)"
   */
  readonly policyReportHint?: string;
}

/**
 * Adds one {@link PlatformStack} per platform file, one {@link ZenmlHybridStack} per environment
 * (wired to its platform's network), and one {@link StateBootstrapStack} to `app`, and gates them with
 * the policy pack: synthesizing any of them throws {@link PolicyViolationError} on a violation.
 */
export function buildApp(app: App, configs: readonly AnyConfig[], options: BuildAppOptions = {}): App {
  const platforms = new Map<string, PlatformStack>();
  for (const config of configs.filter((c): c is PlatformConfig => c.kind === "platform")) {
    platforms.set(config.envName, new PlatformStack(app, config.envName, { config }));
  }
  for (const config of configs) {
    if (config.kind !== "workspace") continue;
    const platform = config.network.platform ? platforms.get(config.network.platform) : undefined;
    new ZenmlHybridStack(app, config.envName, { config, platformNetwork: platform?.network });
  }
  new StateBootstrapStack(app, BOOTSTRAP_STACK, stateLocations(configs));
  singleDefaultTagsBlock(app);
  applyPolicies(app, { log: options.policyLog, verbose: options.policyVerbose, reportHint: options.policyReportHint });
  for (const c of app.node.findAll()) if (TerraformStack.isStack(c)) resolveEachElementOnce(c);
  return app;
}

/**
 * Distinct state buckets and lock tables across environments, and the accounts the bootstrap stack may
 * be applied to: every account some file allows, when every file names its accounts (one file
 * without `allowedAccountIds` may be applied anywhere, so the bootstrap stack may too).
 */
export function stateLocations(environments: readonly AnyConfig[]): StateLocations {
  const unique = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((t) => [key(t), t])).values()];
  return {
    buckets: unique(environments.map(({ state }) => ({ name: state.bucket, region: state.region })), (b) => b.name),
    lockTables: unique(
      environments.flatMap(({ state }) => (state.dynamodbTable ? [{ name: state.dynamodbTable, region: state.region }] : [])),
      (t) => `${t.region}/${t.name}`,
    ),
    allowedAccountIds: environments.length > 0 && environments.every((e) => e.allowedAccountIds)
      ? [...new Set(environments.flatMap((e) => e.allowedAccountIds!))].sort()
      : undefined,
  };
}
