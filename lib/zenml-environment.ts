/**
 * The ZenML server's container environment (the guide's Step 5 table), split into plain variables
 * and variables ECS injects from Secrets Manager.
 */
import { EnvironmentConfig } from "./config/schema";

/** Where the server container finds the RDS CA bundle fetched by the init container. */
export const RDS_CA_DIR = "/etc/zenml/rds-ca";

/** Inputs known only once resources exist (Terraform references). */
export interface ZenmlRuntimeRefs {
  /** RDS endpoint host name. */
  readonly dbAddress: string;
  /** RDS-managed master secret ARN (JSON with username/password). */
  readonly dbSecretArn: string;
  /** OAuth2 client secret ARN. */
  readonly oauth2SecretArn: string;
  /** Runner registry and run-log bucket of the aws-kubernetes workload manager. */
  readonly workloadManager?: { readonly registry: string; readonly bucket: string };
}

/** Implementation sources of the guide's two workload manager options. */
export const WORKLOAD_MANAGER_SOURCES = {
  "aws-kubernetes": "zenml_cloud_plugins.aws_kubernetes_workload_manager.AWSKubernetesWorkloadManager",
  kubernetes: "zenml_cloud_plugins.kubernetes_workload_manager.KubernetesWorkloadManager",
} as const;

/** Plain and secret variables of the server container. */
export interface ZenmlContainerEnvironment {
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, string>;
}

/**
 * Builds the server environment. Database credentials are not put in the guide's
 * `ZENML_DATABASE_URL` (which would carry the password inline, in plain text): the URL goes in
 * `ZENML_STORE_URL` without credentials, and ECS injects `ZENML_STORE_USERNAME`/`ZENML_STORE_PASSWORD`
 * from the RDS-managed secret's JSON keys.
 */
export function zenmlContainerEnvironment(c: EnvironmentConfig, refs: ZenmlRuntimeRefs): ZenmlContainerEnvironment {
  const environment: Record<string, string> = {
    ZENML_SERVER_DEPLOYMENT_TYPE: "cloud",
    ZENML_SERVER_PRO_API_URL: c.zenml.apiUrl,
    ZENML_SERVER_PRO_DASHBOARD_URL: c.zenml.dashboardUrl,
    ZENML_SERVER_PRO_ORGANIZATION_ID: c.zenml.organizationId,
    ZENML_SERVER_PRO_ORGANIZATION_NAME: c.zenml.organizationName,
    ZENML_SERVER_PRO_WORKSPACE_ID: c.zenml.workspaceId,
    ZENML_SERVER_PRO_WORKSPACE_NAME: c.zenml.workspaceName,
    ZENML_SERVER_PRO_OAUTH2_AUDIENCE: c.zenml.oauth2Audience,
    ZENML_SERVER_SERVER_URL: `https://${c.dns.domainName}`,
    ZENML_SERVER_HOSTNAME: "0.0.0.0",
    ZENML_SERVER_PORT: "8000",
    ZENML_LOGGING_LEVEL: c.zenml.loggingLevel,
    ZENML_STORE_URL: `mysql://${refs.dbAddress}:3306/${c.database.databaseName}`,
  };
  if (c.database.requireTls) {
    environment.ZENML_STORE_SSL_CA = `${RDS_CA_DIR}/bundle.pem`;
    environment.ZENML_STORE_SSL_VERIFY_SERVER_CERT = "true";
  }
  Object.assign(environment, workloadManagerEnvironment(c, refs));
  return {
    environment,
    secrets: {
      ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET: refs.oauth2SecretArn,
      ZENML_STORE_USERNAME: `${refs.dbSecretArn}:username::`,
      ZENML_STORE_PASSWORD: `${refs.dbSecretArn}:password::`,
    },
  };
}

/** The guide's workload manager variables (Option A or B), or none. */
function workloadManagerEnvironment(c: EnvironmentConfig, refs: ZenmlRuntimeRefs): Record<string, string> {
  const wm = c.workloadManager;
  if (!wm) return {};
  const common = {
    ZENML_SERVER_WORKLOAD_MANAGER_IMPLEMENTATION_SOURCE: WORKLOAD_MANAGER_SOURCES[wm.type],
    ZENML_KUBERNETES_WORKLOAD_MANAGER_NAMESPACE: wm.namespace,
    ZENML_KUBERNETES_WORKLOAD_MANAGER_SERVICE_ACCOUNT: wm.serviceAccount,
  };
  if (wm.type === "kubernetes") return { ...common, ZENML_KUBERNETES_WORKLOAD_MANAGER_RUNNER_IMAGE: wm.runnerImage! };
  if (!refs.workloadManager) throw new Error(`${c.sourceFile}: the aws-kubernetes workload manager needs its registry and bucket`);
  return {
    ...common,
    ZENML_KUBERNETES_WORKLOAD_MANAGER_BUILD_RUNNER_IMAGE: String(wm.buildRunnerImage),
    ZENML_KUBERNETES_WORKLOAD_MANAGER_DOCKER_REGISTRY: refs.workloadManager.registry,
    ZENML_KUBERNETES_WORKLOAD_MANAGER_ENABLE_EXTERNAL_LOGS: String(wm.enableExternalLogs),
    ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_BUCKET: refs.workloadManager.bucket,
    ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_REGION: c.region,
    ZENML_SERVER_MAX_CONCURRENT_TEMPLATE_RUNS: String(wm.maxConcurrentTemplateRuns),
    ZENML_KUBERNETES_WORKLOAD_MANAGER_POD_RESOURCES: JSON.stringify(wm.podResources),
  };
}

/** The RDS CA bundle of a region (AWS "Using SSL/TLS to encrypt a connection to a DB instance"). */
export function rdsCaBundleUrl(region: string): string {
  return `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
}
