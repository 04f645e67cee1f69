import { Construct } from "constructs";
import { Fn, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EnvironmentConfig } from "../lib/config/schema";
import { ELB_LOG_DELIVERY_ACCOUNT } from "../lib/regions";
import { RDS_CA_DIR, rdsCaBundleUrl, zenmlContainerEnvironment } from "../lib/zenml-environment";
import { Alarms } from "../modules/alarms";
import { ServiceAutoscaling } from "../modules/autoscaling";
import { Database } from "../modules/database";
import { AliasRecord, TlsCertificate } from "../modules/dns";
import { TaskRoles } from "../modules/iam";
import { EncryptionKey } from "../modules/kms";
import { LoadBalancer } from "../modules/load-balancer";
import { ServiceLogs } from "../modules/logging";
import { Network } from "../modules/network";
import { ProSecret } from "../modules/secrets";
import { SecurityGroups } from "../modules/security-groups";
import { ZenmlService } from "../modules/service";

/** Props of {@link ZenmlHybridStack}. */
export interface ZenmlHybridStackProps {
  /**
   * The validated environment.
   * @default none (required)
   */
  readonly config: EnvironmentConfig;
}

/**
 * One ZenML Pro Hybrid workspace on ECS: the whole guide (Steps 1-9, scaling, monitoring, database
 * maintenance) for one environment, with its state in S3.
 */
export class ZenmlHybridStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ZenmlHybridStackProps) {
    super(scope, id);
    const c = props.config;

    new AwsProvider(this, "aws", {
      region: c.region,
      defaultTags: [
        { tags: { Project: "zenml-hybrid", Environment: c.envName, ManagedBy: "cdktf", ...c.tags } },
      ],
    });
    new S3Backend(this, {
      bucket: c.state.bucket,
      key: c.state.key,
      region: c.state.region,
      encrypt: true,
      dynamodbTable: c.state.dynamodbTable,
    });
    if (!c.state.dynamodbTable) this.addOverride("terraform.backend.s3.use_lockfile", true);

    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const kms = new EncryptionKey(this, "kms", { name: c.name, accountId, region: c.region }).key;

    const azs = c.network.availabilityZones ??
      (() => {
        const available = new DataAwsAvailabilityZones(this, "azs", { state: "available" });
        return Array.from({ length: c.network.azCount }, (_, i) => Fn.element(available.names, i));
      })();
    const network = new Network(this, "network", {
      name: c.name,
      cidr: c.network.vpcCidr,
      availabilityZones: azs,
      subnetNewBits: c.network.subnetNewBits,
      natGateways: c.network.natGateways,
      flowLogRetentionDays: c.network.flowLogRetentionDays,
      kmsKeyArn: kms.arn,
    });
    const sgs = new SecurityGroups(this, "security-groups", { name: c.name, vpcId: network.vpc.id });

    const db = new Database(this, "database", {
      name: c.name,
      subnetIds: network.privateSubnetIds,
      securityGroupId: sgs.rds.id,
      kmsKeyArn: kms.arn,
      ...c.database,
    });
    const proSecret = new ProSecret(this, "pro-secret", {
      secretName: c.zenml.oauth2ClientSecretName || undefined,
      existingSecretArn: c.zenml.oauth2ClientSecretArn,
      existingSecretKmsKeyArn: c.zenml.oauth2ClientSecretKmsKeyArn,
      kmsKeyArn: kms.arn,
      recoveryWindowInDays: c.preset === "prod" ? 30 : 7,
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
      secretArns: [proSecret.secretArn, db.masterSecretArn],
      // The RDS secret always uses the environment key; an existing OAuth2 secret may add its own.
      kmsKeyArns: [kms.arn, ...(proSecret.secret ? [] : proSecret.kmsKeyArns)],
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
      vpcId: network.vpc.id,
      subnetIds: network.publicSubnetIds,
      securityGroupId: sgs.alb.id,
      certificateArn: certificate.certificateArn,
      sslPolicy: c.loadBalancer.sslPolicy,
      deletionProtection: c.loadBalancer.deletionProtection,
      idleTimeoutSeconds: c.loadBalancer.idleTimeoutSeconds,
      accessLogRetentionDays: c.loadBalancer.accessLogRetentionDays,
    });
    if (c.dns.provider === "route53" && c.dns.hostedZoneId) {
      new AliasRecord(this, "dns", {
        hostedZoneId: c.dns.hostedZoneId,
        domainName: c.dns.domainName,
        targetDnsName: lb.alb.dnsName,
        targetZoneId: lb.alb.zoneId,
      });
    }

    const env = zenmlContainerEnvironment(c, {
      dbAddress: db.instance.address,
      dbSecretArn: db.masterSecretArn,
      oauth2SecretArn: proSecret.secretArn,
    });
    const autoscaled = c.service.maxCapacity > c.service.minCapacity;
    const service = new ZenmlService(this, "service", {
      clusterName: c.name,
      image: `${c.zenml.image}:${c.zenml.version}`,
      cpu: c.service.cpu,
      memory: c.service.memory,
      environment: env.environment,
      secrets: env.secrets,
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
      caBundle: c.database.requireTls
        ? { image: c.service.caFetcherImage, url: rdsCaBundleUrl(c.region), mountPath: RDS_CA_DIR }
        : undefined,
      dependsOn: [lb.httpsListener],
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
    output("alarm_topic_arn", alarms.topic.arn, "SNS topic the alarms notify");
  }
}
