import { Construct } from "constructs";
import { TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { EnvironmentConfig } from "../lib/config/schema";
import { ELB_LOG_DELIVERY_ACCOUNT } from "../lib/regions";
import { zenmlContainerEnvironment } from "../lib/zenml-environment";
import { Alarms } from "../modules/alarms";
import { ServiceAutoscaling } from "../modules/autoscaling";
import { RotationRedeploy } from "../modules/credential-rotation";
import { WorkspaceDashboard } from "../modules/dashboard";
import { Database } from "../modules/database";
import { BackupReplication, RestoreTesting } from "../modules/disaster-recovery";
import { AliasRecord, TlsCertificate } from "../modules/dns";
import { TaskRoles } from "../modules/iam";
import { EncryptionKey } from "../modules/kms";
import { LoadBalancer } from "../modules/load-balancer";
import { LogAlerts } from "../modules/log-alerts";
import { ServiceLogs } from "../modules/logging";
import { ExistingNetwork } from "../modules/existing-network";
import { GeneratedSecret } from "../modules/write-only-secret";
import { NetworkRefs } from "../modules/network";
import { ProSecret } from "../modules/secrets";
import { secretsStoreKey } from "../modules/secrets-store-key";
import { SecurityGroups } from "../modules/security-groups";
import { ZENML_CONTAINER_NAME, ZENML_SERVICE_NAME, ZenmlService } from "../modules/service";
import { PreMigrationSnapshot } from "../modules/pre-migration-snapshot";
import { AwsWorkloadManagerResources } from "../modules/workload-manager";
import { awsProviderAndState, createNetwork, stackTags } from "./common";

/**
 * Sets lifecycle.prevent_destroy on `resources` (keeping their other lifecycle settings): any plan that
 * would delete or replace one of them fails at plan time, before anything is changed.
 */
function preventDestroy(resources: readonly TerraformResource[]): void {
  for (const r of resources) r.lifecycle = { ...r.lifecycle, preventDestroy: true };
}

/** Props of {@link ZenmlHybridStack}. */
export interface ZenmlHybridStackProps {
  /**
   * The validated environment.
   * @default none (required)
   */
  readonly config: EnvironmentConfig;
  /**
   * Network of the platform stack named by `network.platform` (a cross-stack reference).
   * @default none (the stack creates its own network, or uses `network.existingVpc`)
   */
  readonly platformNetwork?: NetworkRefs;
}

/**
 * One ZenML Pro Hybrid workspace on ECS: the whole guide (Steps 1-9, scaling, monitoring, database
 * maintenance) for one environment, with its state in S3.
 */
export class ZenmlHybridStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ZenmlHybridStackProps) {
    super(scope, id);
    const c = props.config;

    awsProviderAndState(this, c);
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const kms = new EncryptionKey(this, "kms", { name: c.name, accountId, region: c.region }).key;

    const network = this.network(c, kms.arn, accountId, props.platformNetwork);
    const sgs = new SecurityGroups(this, "security-groups", { name: c.name, vpcId: network.vpcId, appPort: c.service.containerPort });

    const db = new Database(this, "database", {
      name: c.name,
      subnetIds: network.privateSubnetIds,
      securityGroupId: sgs.rds.id,
      kmsKeyArn: kms.arn,
      ...c.database,
      accountId,
      region: c.region,
    });
    // The guide's second-region backups; the secrets-store key is replicated there too, since a
    // restored database's ZenML secrets can only be read with it.
    const dr =
      c.database.backupReplication && c.database.backupReplicationRegion
        ? new BackupReplication(this, "backup-replication", {
            name: c.name,
            accountId,
            region: c.database.backupReplicationRegion,
            sourceDbInstanceArn: db.instance.arn,
            retentionDays: c.database.backupRetentionDays,
            tags: stackTags(c),
            allowedAccountIds: c.allowedAccountIds,
          })
        : undefined;
    // Secrets a restore in the DR region needs are replicated there (read-only, with the DR key).
    const drReplicas = dr && c.database.backupReplicationRegion ? [{ region: c.database.backupReplicationRegion, kmsKeyArn: dr.key.key.arn }] : [];
    const proSecret = new ProSecret(this, "pro-secret", {
      secretName: c.zenml.oauth2ClientSecretName || undefined,
      existingSecretArn: c.zenml.oauth2ClientSecretArn,
      existingSecretKmsKeyArn: c.zenml.oauth2ClientSecretKmsKeyArn,
      kmsKeyArn: kms.arn,
      recoveryWindowInDays: c.preset === "prod" ? 30 : 7,
      replicas: drReplicas,
      valueFromVariable: c.zenml.oauth2ClientSecretVariable
        ? { variableName: c.zenml.oauth2ClientSecretVariable, generation: c.zenml.oauth2ClientSecretGeneration }
        : undefined,
    });
    const jwtKey = new GeneratedSecret(this, "jwt-secret-key", {
      secretName: `zenml/${c.name}/server-jwt-secret-key`,
      description: "ZENML_SERVER_JWT_SECRET_KEY: the key every ZenML server task signs and verifies API tokens with",
      kmsKeyArn: kms.arn,
      generation: c.zenml.jwtSecretKeyGeneration,
      recoveryWindowInDays: c.preset === "prod" ? 30 : 7,
      rotationNote:
        "Rotating the JWT signing key invalidates every issued token, so it is rotated deliberately: raise zenml.jwtSecretKeyGeneration and deploy.",
    });
    // The SQL secrets store keeps ZenML's secrets in MySQL, unencrypted unless it has a key
    // (sql_secrets_store.py: "If not set, the passwords will not be encrypted in the database"). A
    // restored database brings the key of its old environment by reference (zenml.secretsStoreKeySecretArn).
    const storeKey = secretsStoreKey(this, "secrets-store-key", {
      secretName: `zenml/${c.name}/secrets-store-encryption-key`,
      existingSecretArn: c.zenml.secretsStoreKeySecretArn,
      existingSecretKmsKeyArn: c.zenml.secretsStoreKeyKmsKeyArn,
      kmsKeyArn: kms.arn,
      replicas: drReplicas,
    });
    const logs = new ServiceLogs(this, "logs", {
      logGroupName: c.observability.logGroupName,
      retentionDays: c.observability.logRetentionDays,
      kmsKeyArn: kms.arn,
    });
    const roles = new TaskRoles(this, "iam", {
      name: c.name,
      accountId,
      region: c.region,
      secretArns: [proSecret.secretArn, db.masterSecretArn, jwtKey.secret.arn, storeKey.secretArn],
      // The RDS secret always uses the environment key; an existing OAuth2 secret may add its own.
      kmsKeyArns: [kms.arn, ...(proSecret.secret ? [] : proSecret.kmsKeyArns)],
      secretsManagerOnlyKmsKeyArns: storeKey.existingKmsKeyArns,
      logGroupArn: logs.logGroup.arn,
    });

    const certificate = new TlsCertificate(this, "tls", {
      domainName: c.dns.domainName,
      hostedZoneId: c.dns.hostedZoneId,
      existingCertificateArn: c.dns.certificateArn,
    });
    const lb = new LoadBalancer(this, "load-balancer", {
      name: c.name,
      accountId,
      region: c.region,
      elbLogDeliveryAccountId: ELB_LOG_DELIVERY_ACCOUNT[c.region],
      vpcId: network.vpcId,
      subnetIds: network.publicSubnetIds,
      securityGroupId: sgs.alb.id,
      certificateArn: certificate.certificateArn,
      targetPort: c.service.containerPort,
      sslPolicy: c.loadBalancer.sslPolicy,
      deletionProtection: c.loadBalancer.deletionProtection,
      idleTimeoutSeconds: c.loadBalancer.idleTimeoutSeconds,
      accessLogRetentionDays: c.loadBalancer.accessLogRetentionDays,
      healthCheck: c.loadBalancer.healthCheck,
      webAclArn: c.loadBalancer.webAclArn,
    });
    if (c.dns.provider === "route53" && c.dns.hostedZoneId) {
      new AliasRecord(this, "dns", {
        hostedZoneId: c.dns.hostedZoneId,
        domainName: c.dns.domainName,
        targetDnsName: lb.alb.dnsName,
        targetZoneId: lb.alb.zoneId,
      });
    }

    const wm = c.workloadManager?.type === "aws-kubernetes"
      ? new AwsWorkloadManagerResources(this, "workload-manager", {
          name: c.name,
          accountId,
          region: c.region,
          kmsKeyArn: kms.arn,
          eksClusterName: c.workloadManager.eksClusterName!,
          taskRoleName: roles.taskRole.name,
        })
      : undefined;
    const env = zenmlContainerEnvironment(c, {
      dbAddress: db.instance.address,
      dbSecretArn: db.masterSecretArn,
      oauth2SecretValueFrom: proSecret.valueFrom,
      jwtSecretValueFrom: jwtKey.valueFrom,
      secretsStoreKeyValueFrom: storeKey.valueFrom,
      dbCaCertIdentifier: db.caCertIdentifier,
      workloadManager: wm && { registry: wm.repository.repositoryUrl, bucket: wm.logsBucket.bucket.bucket },
    });
    // The migration container of a new version changes the schema: snapshot the database first.
    const snapshot = new PreMigrationSnapshot(this, "pre-migration-snapshot", {
      version: c.zenml.version,
      region: c.region,
      dbInstanceIdentifier: db.instance.identifier,
      clusterName: c.name,
      serviceName: ZENML_SERVICE_NAME,
      containerName: ZENML_CONTAINER_NAME,
    });
    const autoscaled = c.service.maxCapacity > c.service.minCapacity;
    const service = new ZenmlService(this, "service", {
      clusterName: c.name,
      image: `${c.zenml.image}:${c.zenml.version}`,
      cpu: c.service.cpu,
      memory: c.service.memory,
      containerPort: c.service.containerPort,
      command: c.service.command,
      environment: env.server.environment,
      secrets: env.server.secrets,
      migration: env.migration,
      writablePaths: env.writablePaths,
      volumeFiles: env.files,
      logGroupName: logs.logGroup.name,
      region: c.region,
      executionRoleArn: roles.executionRole.arn,
      taskRoleArn: roles.taskRole.arn,
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [sgs.ecs.id],
      targetGroupArn: lb.targetGroup.arn,
      desiredCount: c.service.desiredCount,
      autoscaled,
      healthCheckGracePeriodSeconds: c.service.healthCheckGracePeriodSeconds,
      dependsOn: [lb.httpsListener],
      taskDefinitionDependsOn: [snapshot.step],
    });
    if (autoscaled) {
      new ServiceAutoscaling(this, "autoscaling", {
        clusterName: service.cluster.name,
        serviceName: service.service.name,
        minCapacity: c.service.minCapacity,
        maxCapacity: c.service.maxCapacity,
        targetCpuPercent: c.service.targetCpuPercent,
      });
    }
    const alarms = new Alarms(this, "alarms", {
      name: c.name,
      kmsKeyArn: kms.arn,
      alarmEmail: c.observability.alarmEmail,
      clusterName: service.cluster.name,
      serviceName: service.service.name,
      loadBalancerArnSuffix: lb.alb.arnSuffix,
      targetGroupArnSuffix: lb.targetGroup.arnSuffix,
      dbInstanceIdentifier: db.instance.identifier,
      errorMetric: { namespace: logs.errorMetricNamespace, name: logs.errorMetricName },
      cpuPercent: c.observability.cpuAlarmPercent,
      dbCpuPercent: c.observability.dbCpuAlarmPercent,
      dbFreeStorageGb: c.observability.dbFreeStorageAlarmGb,
      dbConnections: c.observability.dbConnectionsAlarm,
    });
    const logAlerts = new LogAlerts(this, "log-alerts", {
      name: c.name,
      logGroupName: logs.logGroup.name,
      alarmTopicArn: alarms.topic.arn,
      metricNamespace: logs.errorMetricNamespace,
      subscriptionDestinationArn: c.observability.logSubscriptionDestinationArn,
      subscriptionRoleArn: c.observability.logSubscriptionRoleArn,
    });
    new RotationRedeploy(this, "db-rotation", {
      name: c.name,
      secretArn: db.masterSecretArn,
      clusterName: service.cluster.name,
      serviceName: service.service.name,
      serviceArn: service.service.id,
      accountId,
      region: c.region,
      alarmTopicArn: alarms.topic.arn,
    });
    if (c.database.restoreTesting) {
      new RestoreTesting(this, "restore-testing", {
        name: c.name,
        dbInstanceArn: db.instance.arn,
        accountId,
        dbSubnetGroupName: db.instance.dbSubnetGroupName,
        vpcId: network.vpcId,
        kmsKeyArn: kms.arn,
        retentionDays: c.database.backupRetentionDays,
        restoreTestingSchedule: c.database.restoreTestingSchedule,
      });
    }

    // One page for the service, the ALB, the database, the log signatures and every alarm of this stack
    // (in its region: an alarm of another region's provider would not show there).
    const stackAlarms = this.node.findAll().filter((n): n is CloudwatchMetricAlarm => n instanceof CloudwatchMetricAlarm && !n.provider);
    const dashboard = new WorkspaceDashboard(this, "dashboard", {
      name: c.name,
      region: c.region,
      ecs: { clusterName: service.cluster.name, serviceName: service.service.name },
      alb: { loadBalancerArnSuffix: lb.alb.arnSuffix, targetGroupArnSuffix: lb.targetGroup.arnSuffix },
      dbInstanceIdentifier: db.instance.identifier,
      logMetrics: [
        { namespace: logs.errorMetricNamespace, name: logs.errorMetricName },
        ...Object.values(logAlerts.filters).map((f) => ({ namespace: f.metricTransformation.namespace, name: f.metricTransformation.name })),
      ],
      alarmArns: stackAlarms.map((a) => a.arn),
    });

    if (c.protected) {
      preventDestroy([db.instance, kms, ...(proSecret.secret ? [proSecret.secret] : []), jwtKey.secret, ...(storeKey.secret ? [storeKey.secret] : []), lb.alb]);
    }

    const output = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description });
    output("url", `https://${c.dns.domainName}`, "Workspace URL (ZENML_SERVER_SERVER_URL)");
    output("alb_dns_name", lb.alb.dnsName, "ALB DNS name (CNAME target for external DNS)");
    output("db_endpoint", db.instance.endpoint, "RDS endpoint host:port");
    output("cluster_name", service.cluster.name, "ECS cluster");
    output("service_name", service.service.name, "ECS service");
    output("log_group", logs.logGroup.name, "Container log group");
    output("oauth2_secret_arn", proSecret.secretArn, "Secret to fill with the ZenML Pro OAuth2 client secret");
    output("db_master_secret_arn", db.masterSecretArn, "RDS-managed master credentials secret");
    output("jwt_secret_arn", jwtKey.secret.arn, "ZENML_SERVER_JWT_SECRET_KEY (generated by Secrets Manager; never in state)");
    output(
      "secrets_store_key_arn",
      storeKey.secretArn,
      storeKey.secret
        ? "ZENML_SECRETS_STORE_ENCRYPTION_KEY (generated by Secrets Manager; never in state; never rotate)"
        : "ZENML_SECRETS_STORE_ENCRYPTION_KEY: the existing secret zenml.secretsStoreKeySecretArn (current value)",
    );
    output("alarm_topic_arn", alarms.topic.arn, "SNS topic the alarms notify");
    output("dashboard_url", dashboard.url, "CloudWatch dashboard of the workspace (service, ALB, database, log signatures, alarms)");
    if (wm) {
      output("runner_repository_url", wm.repository.repositoryUrl, "ECR repository for workload-manager runner images");
      output("run_logs_bucket", wm.logsBucket.bucket.bucket, "S3 bucket for workload-manager run logs");
      output("task_role_arn", roles.taskRole.arn, "ECS task role to grant access in the EKS cluster (access entry)");
    }
  }

  /** The platform's network, an existing VPC, or a new one. */
  private network(c: EnvironmentConfig, kmsKeyArn: string, accountId: string, platformNetwork?: NetworkRefs): NetworkRefs {
    if (c.network.platform) {
      if (!platformNetwork) throw new Error(`${c.sourceFile}: network.platform '${c.network.platform}' was not passed to the stack`);
      return platformNetwork;
    }
    if (c.network.existingVpc) return new ExistingNetwork(this, "network", c.network.existingVpc);
    return createNetwork(this, c.name, c.network, kmsKeyArn, { accountId, region: c.region });
  }
}
