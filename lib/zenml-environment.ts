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
}

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
  return {
    environment,
    secrets: {
      ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET: refs.oauth2SecretArn,
      ZENML_STORE_USERNAME: `${refs.dbSecretArn}:username::`,
      ZENML_STORE_PASSWORD: `${refs.dbSecretArn}:password::`,
    },
  };
}

/** The RDS CA bundle of a region (AWS "Using SSL/TLS to encrypt a connection to a DB instance"). */
export function rdsCaBundleUrl(region: string): string {
  return `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
}
