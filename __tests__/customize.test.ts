/**
 * Customizing without forking: `zenml.extraEnvironment` (validated against the runtime contract and
 * secret-looking names) and `loadBalancer.healthCheck`, both from the environment file.
 */
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { EnvironmentConfig } from "../lib/config/schema";
import { RUNTIME_VARIABLES, zenmlContainerEnvironment } from "../lib/zenml-environment";
import { CONFIG_DIR, ROOT, configFrom, only, problemsOf, shippedFile, synthAll } from "./helpers";

const REFS = {
  dbAddress: "db.example",
  dbSecretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db-AbCdEf",
  oauth2SecretValueFrom: "arn:oauth2",
  jwtSecretValueFrom: "arn:jwt",
  secretsStoreKeyValueFrom: "arn:store",
  dbCaCertIdentifier: "rds-ca-rsa2048-g1",
  workloadManager: { registry: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/runners", bucket: "runs" },
};

/** Container environments (plain and secret) by container name, from a synthesized task definition. */
function containers(config: EnvironmentConfig): Record<string, { environment: Record<string, string>; secrets: string[] }> {
  const stack = synthAll([config])[config.envName];
  const defs = JSON.parse(only(stack, "aws_ecs_task_definition").container_definitions);
  return Object.fromEntries(
    defs.map((d: any) => [
      d.name,
      { environment: Object.fromEntries((d.environment ?? []).map((e: any) => [e.name, e.value])), secrets: (d.secrets ?? []).map((s: any) => s.name) },
    ]),
  );
}

describe("zenml.extraEnvironment", () => {
  test("its variables reach the server and its migration container, next to the contract's", () => {
    const doc = shippedFile("dev");
    doc.zenml.extraEnvironment = { ZENML_SERVER_RATE_LIMIT_ENABLED: "true", ZENML_SERVER_THREAD_POOL_SIZE: "60" };
    const byName = containers(configFrom(doc, "dev"));
    // The server and its migration container (the task's other containers run no ZenML).
    const all = Object.values(byName).filter((c) => c.environment.ZENML_SERVER_DEPLOYMENT_TYPE);
    expect(all.length).toBe(2);
    for (const c of all) {
      expect(c.environment).toMatchObject({ ZENML_SERVER_RATE_LIMIT_ENABLED: "true", ZENML_SERVER_THREAD_POOL_SIZE: "60" });
      expect(c.environment.ZENML_SERVER_DEPLOYMENT_TYPE).toBe("cloud");
    }
  });

  test("a name the runtime contract sets is refused, naming file, field and what is allowed", () => {
    expect(problemsOf((d) => (d.zenml.extraEnvironment = { ZENML_SERVER_SERVER_URL: "https://elsewhere.example", DISABLE_DATABASE_MIGRATION: "false" }))).toEqual([
      expect.stringMatching(/^config\/test\.json: zenml\.extraEnvironment\.ZENML_SERVER_SERVER_URL: is set by the runtime contract \(lib\/zenml-environment\.ts.*allowed: names the contract does not set/),
      expect.stringMatching(/^config\/test\.json: zenml\.extraEnvironment\.DISABLE_DATABASE_MIGRATION: is set by the runtime contract/),
    ]);
    // Also names the contract sets only in some configurations (here: the workload manager's, TLS's).
    expect(problemsOf((d) => (d.zenml.extraEnvironment = { ZENML_KUBERNETES_WORKLOAD_MANAGER_NAMESPACE: "x", ZENML_STORE_SSL: "false" }))).toHaveLength(2);
  });

  test.each(["MY_API_TOKEN", "DB_PASSWORD", "ZENML_SERVER_SIGNING_KEY", "OIDC_CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY", "SOME_CREDENTIALS", "APIKEY"])(
    "a name that looks like a secret is refused: %s",
    (name) => {
      expect(problemsOf((d) => (d.zenml.extraEnvironment = { [name]: "value" }))).toEqual([
        expect.stringMatching(new RegExp(`^config/test\\.json: zenml\\.extraEnvironment\\.${name}: looks like a secret .*trivy AVD-AWS-0036.*allowed: names of settings that are not secret`)),
      ]);
    },
  );

  test("names and values are checked", () => {
    expect(problemsOf((d) => (d.zenml.extraEnvironment = { "1BAD-NAME": "x" }))[0]).toMatch(/zenml\.extraEnvironment\.1BAD-NAME: .*must be an environment variable name/);
    expect(problemsOf((d) => (d.zenml.extraEnvironment = { ZENML_X: 1 }))[0]).toMatch(/zenml\.extraEnvironment\.ZENML_X: .*string/);
    expect(problemsOf((d) => (d.zenml.extraEnvironment = { ZENML_SERVER_RATE_LIMIT_ENABLED: "true", KEYCLOAK_REALM: "x" }))).toEqual([]);
  });

  test("RUNTIME_VARIABLES lists every variable the contract sets in the shipped and example files, and nothing else", () => {
    const configs = [
      ...loadEnvironments(CONFIG_DIR),
      ...loadEnvironments(path.join(ROOT, "examples", "workload-manager", "config")),
    ].filter((c): c is EnvironmentConfig => c.kind === "workspace");
    const set = new Set<string>();
    for (const c of configs) {
      for (const requireTls of [true, false]) {
        const env = zenmlContainerEnvironment({ ...c, database: { ...c.database, requireTls } }, REFS);
        for (const container of [env.server, env.migration]) [...Object.keys(container.environment), ...Object.keys(container.secrets)].forEach((n) => set.add(n));
      }
    }
    expect([...set].sort()).toEqual([...RUNTIME_VARIABLES].sort());
  });
});

describe("loadBalancer.healthCheck", () => {
  test("the target group's health check comes from the file; unset fields keep the guide's values", () => {
    const doc = shippedFile("dev");
    doc.loadBalancer = { healthCheck: { path: "/api/v1/info", intervalSeconds: 15, matcher: "200-299" } };
    const tg = only(synthAll([configFrom(doc, "dev")]).dev, "aws_lb_target_group");
    expect(tg.health_check).toMatchObject({ path: "/api/v1/info", interval: 15, matcher: "200-299", timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3, port: "8080" });
  });

  test("the ALB's limits are checked", () => {
    expect(problemsOf((d) => (d.loadBalancer = { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }))).toEqual([
      "config/test.json: loadBalancer.healthCheck.timeoutSeconds: must be less than loadBalancer.healthCheck.intervalSeconds (10), as the ALB requires",
    ]);
    expect(problemsOf((d) => (d.loadBalancer = { healthCheck: { path: "health" } }))[0]).toMatch(/loadBalancer\.healthCheck\.path: must be a URL path starting with \//);
    expect(problemsOf((d) => (d.loadBalancer = { healthCheck: { matcher: "ok" } }))[0]).toMatch(/loadBalancer\.healthCheck\.matcher: must be HTTP codes/);
    expect(problemsOf((d) => (d.loadBalancer = { healthCheck: { intervalSeconds: 1 } }))[0]).toMatch(/loadBalancer\.healthCheck\.intervalSeconds: /);
    expect(problemsOf((d) => (d.loadBalancer = { healthCheck: { intervall: 10 } }))[0]).toMatch(/loadBalancer\.healthCheck: unknown field\(s\) 'intervall'/);
  });
});
