import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";

/** An init container that downloads a CA bundle into a volume shared with the server. */
export interface CaBundleFetcher {
  /** Image with `sh` and `curl`. */
  readonly image: string;
  /** HTTPS URL of the PEM bundle. */
  readonly url: string;
  /** Directory the bundle is mounted at (read-only) in the server container; the file is `bundle.pem`. */
  readonly mountPath: string;
}

/** Props of {@link ZenmlService}. */
export interface ZenmlServiceProps {
  /**
   * ECS cluster name (the guide's `zenml-hybrid`).
   * @default none (required)
   */
  readonly clusterName: string;
  /**
   * Task definition family.
   * @default the cluster name
   */
  readonly family?: string;
  /**
   * ECS service name.
   * @default "zenml-server"
   */
  readonly serviceName?: string;
  /**
   * Server container name (the guide's load-balancer container).
   * @default "zenml-server"
   */
  readonly containerName?: string;
  /**
   * Full image reference with a pinned tag.
   * @default none (required)
   */
  readonly image: string;
  /**
   * Task CPU units.
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Task memory (MiB).
   * @default 1024
   */
  readonly memory?: number;
  /**
   * Container port.
   * @default 8000
   */
  readonly containerPort?: number;
  /**
   * Plain environment variables (never secrets).
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Variables injected by ECS from Secrets Manager: name → `valueFrom` (ARN, or `ARN:jsonKey::`).
   * @default {}
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * awslogs log group.
   * @default none (required)
   */
  readonly logGroupName: string;
  /**
   * awslogs stream prefix.
   * @default "ecs"
   */
  readonly logStreamPrefix?: string;
  /**
   * Region of the log group.
   * @default none (required)
   */
  readonly region: string;
  /**
   * Task execution role ARN.
   * @default none (required)
   */
  readonly executionRoleArn: string;
  /**
   * Task role ARN.
   * @default none (required)
   */
  readonly taskRoleArn: string;
  /**
   * Private subnets for the tasks.
   * @default none (required)
   */
  readonly subnetIds: string[];
  /**
   * Security groups of the tasks.
   * @default none (required)
   */
  readonly securityGroupIds: string[];
  /**
   * Target group the server container registers in.
   * @default none (required)
   */
  readonly targetGroupArn: string;
  /**
   * Desired task count (initial count when autoscaling manages it).
   * @default 1
   */
  readonly desiredCount?: number;
  /**
   * Whether Application Auto Scaling owns `desired_count` (then Terraform ignores its drift).
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * Seconds ALB health checks are ignored after a task starts.
   * @default 180
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * Init container fetching the RDS CA bundle for TLS to MySQL.
   * @default none
   */
  readonly caBundle?: CaBundleFetcher;
  /**
   * Resources the service must wait for (the listener that attaches the target group to the ALB).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Run the server container with a read-only root filesystem. It then writes only to two task
   * volumes: `/tmp` and the ZenML config directory (`ZENML_CONFIG_PATH`), which an init container
   * makes writable for the image's non-root user.
   * @default true
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * ZenML global config directory (`ZENML_CONFIG_PATH`) on a task volume when the root filesystem is
   * read-only; the zenml server images use `/zenml/.zenconfig`.
   * @default "/zenml/.zenconfig" (or `environment.ZENML_CONFIG_PATH` when set)
   */
  readonly configPath?: string;
  /**
   * Image of the init container that makes the task volumes writable (needs `sh` and `chmod`).
   * @default "public.ecr.aws/amazonlinux/amazonlinux:2023-minimal"
   */
  readonly volumeInitImage?: string;
}

/** Default ZenML config directory of the zenml server images. */
export const ZENML_CONFIG_DIR = "/zenml/.zenconfig";

/**
 * The guide's Steps 5-6: a Fargate task definition for the ZenML Pro server and an ECS service in a
 * cluster with Container Insights, private subnets without public IPs, registered in the ALB target
 * group, with a deployment circuit breaker that rolls back failed releases. Containers run with a
 * read-only root filesystem (the server writes only to its /tmp and config-directory volumes).
 */
export class ZenmlService extends Construct {
  /** The cluster. */
  public readonly cluster: EcsCluster;
  /** The task definition. */
  public readonly taskDefinition: EcsTaskDefinition;
  /** The service. */
  public readonly service: EcsService;

  constructor(scope: Construct, id: string, props: ZenmlServiceProps) {
    super(scope, id);
    const containerName = props.containerName ?? "zenml-server";
    const port = props.containerPort ?? 8000;
    const logConfiguration = {
      logDriver: "awslogs",
      options: {
        "awslogs-group": props.logGroupName,
        "awslogs-region": props.region,
        "awslogs-stream-prefix": props.logStreamPrefix ?? "ecs",
      },
    };
    const byName = (record: Readonly<Record<string, string>> | undefined, valueKey: "value" | "valueFrom") =>
      Object.entries(record ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, [valueKey]: value }));

    const ca = props.caBundle;
    const fetcherName = "rds-ca-bundle";
    // Read-only root: the server writes only to /tmp and its config directory, two task volumes that
    // start root-owned (0755) on Fargate; an init container opens them (1777) for the image's user.
    const readOnly = props.readonlyRootFilesystem ?? true;
    const configPath = props.environment?.ZENML_CONFIG_PATH ?? props.configPath ?? ZENML_CONFIG_DIR;
    const initName = "writable-volumes";
    const writable = readOnly
      ? [
          { volume: "zenml-tmp", path: "/tmp", initPath: "/volumes/tmp" },
          { volume: "zenml-config", path: configPath, initPath: "/volumes/config" },
        ]
      : [];
    const environment = readOnly ? { ...props.environment, ZENML_CONFIG_PATH: configPath } : props.environment;
    const dependsOn = [
      ...(readOnly ? [{ containerName: initName, condition: "SUCCESS" }] : []),
      ...(ca ? [{ containerName: fetcherName, condition: "SUCCESS" }] : []),
    ];
    const mountPoints = [
      ...writable.map((w) => ({ sourceVolume: w.volume, containerPath: w.path, readOnly: false })),
      ...(ca ? [{ sourceVolume: fetcherName, containerPath: ca.mountPath, readOnly: true }] : []),
    ];
    const containers: object[] = [
      {
        name: containerName,
        image: props.image,
        essential: true,
        portMappings: [{ containerPort: port, hostPort: port, protocol: "tcp" }],
        environment: byName(environment, "value"),
        secrets: byName(props.secrets, "valueFrom"),
        logConfiguration,
        readonlyRootFilesystem: readOnly,
        ...(dependsOn.length > 0 ? { dependsOn } : {}),
        ...(mountPoints.length > 0 ? { mountPoints } : {}),
      },
    ];
    if (readOnly) {
      containers.push({
        name: initName,
        image: props.volumeInitImage ?? "public.ecr.aws/amazonlinux/amazonlinux:2023-minimal",
        essential: false,
        command: ["sh", "-c", `chmod 1777 ${writable.map((w) => w.initPath).join(" ")}`],
        mountPoints: writable.map((w) => ({ sourceVolume: w.volume, containerPath: w.initPath, readOnly: false })),
        readonlyRootFilesystem: true,
        logConfiguration,
      });
    }
    if (ca) {
      containers.push({
        name: fetcherName,
        image: ca.image,
        essential: false,
        command: ["sh", "-c", `curl -fsS --retry 5 --proto =https -o /ca/bundle.pem ${ca.url}`],
        mountPoints: [{ sourceVolume: fetcherName, containerPath: "/ca", readOnly: false }],
        readonlyRootFilesystem: true,
        logConfiguration,
      });
    }

    const volumes = [...writable.map((w) => ({ name: w.volume })), ...(ca ? [{ name: fetcherName }] : [])];
    this.cluster = new EcsCluster(this, "cluster", {
      name: props.clusterName,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: props.family ?? props.clusterName,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu ?? 512),
      memory: String(props.memory ?? 1024),
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: JSON.stringify(containers),
      volume: volumes.length > 0 ? volumes : undefined,
    });
    this.service = new EcsService(this, "service", {
      name: props.serviceName ?? "zenml-server",
      cluster: this.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      desiredCount: props.desiredCount ?? 1,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? 180,
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: props.securityGroupIds,
        assignPublicIp: false,
      },
      loadBalancer: [{ targetGroupArn: props.targetGroupArn, containerName, containerPort: port }],
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      waitForSteadyState: false,
      lifecycle: props.autoscaled ? { ignoreChanges: ["desired_count"] } : undefined,
      dependsOn: props.dependsOn,
    });
  }
}
