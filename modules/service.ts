import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";

/** Default name of the ECS service. */
export const ZENML_SERVICE_NAME = "zenml-server";
/** Default name of the server container (the load balancer's target). */
export const ZENML_CONTAINER_NAME = "zenml-server";

/** A one-off container that runs before the server in every task, with the server image. */
export interface MigrationContainer {
  /** Entry point (replaces the image's). */
  readonly entryPoint: string[];
  /** Command (arguments of the entry point). */
  readonly command: string[];
  /** Plain environment variables (never secrets). */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables injected by ECS from Secrets Manager: name → `valueFrom`. */
  readonly secrets: Readonly<Record<string, string>>;
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
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly cpu: number;
  /**
   * Task memory (MiB).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly memory: number;
  /**
   * Container port: where the server listens, the target group's port and the security groups' app port.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly containerPort: number;
  /**
   * Server command (replaces the image's `CMD`, keeps its `ENTRYPOINT`).
   * @default none (the image's CMD)
   */
  readonly command?: string[];
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
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly desiredCount: number;
  /**
   * Whether Application Auto Scaling owns `desired_count` (then Terraform ignores its drift).
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * Seconds ALB health checks are ignored after a task starts.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly healthCheckGracePeriodSeconds: number;
  /**
   * Container that runs to completion before the server starts in every task (the schema migration).
   * @default none
   */
  readonly migration?: MigrationContainer;
  /**
   * Resources the service must wait for (the listener that attaches the target group to the ALB).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Steps a new task definition revision must wait for (the pre-migration snapshot).
   * @default []
   */
  readonly taskDefinitionDependsOn?: ITerraformDependable[];
  /**
   * Run every container with a read-only root filesystem. The server and migration containers then
   * write only to task volumes mounted at `writablePaths`, which a first container opens (mode 1777)
   * for the image's non-root user: the server image itself, run as root for that single `chmod`.
   * @default true
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * Directories the server writes to; each becomes a task volume when the root filesystem is read-only.
   * @default ["/tmp"]
   */
  readonly writablePaths?: readonly string[];
  /**
   * Files the volume-preparation container writes (mode 0444, owned by root) into the writable paths
   * before any other container starts; each content reaches it as a plain variable `VOLUME_FILE_<n>`, so
   * only public content belongs here (a CA bundle). Needs `readonlyRootFilesystem`.
   * @default []
   */
  readonly volumeFiles?: readonly { readonly path: string; readonly content: string }[];
}

/**
 * The guide's Steps 5-6: a Fargate task definition for the ZenML Pro server and an ECS service in a
 * cluster with Container Insights, private subnets without public IPs, registered in the ALB target
 * group, with a deployment circuit breaker that rolls back failed releases. Every container uses the
 * server image and a read-only root filesystem; in each task a volume-preparation container and the
 * migration container (if any) run to completion before the server starts.
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
    const containerName = props.containerName ?? ZENML_CONTAINER_NAME;
    const port = props.containerPort;
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

    // Read-only root: the server writes only to task volumes. On Fargate they start root-owned (0755);
    // the first container (the server image as root, one chmod, no capabilities) opens them (1777).
    const readOnly = props.readonlyRootFilesystem ?? true;
    const volumeInitName = "writable-volumes";
    const migrationName = "migrate-database";
    const writable = readOnly
      ? (props.writablePaths ?? ["/tmp"]).map((path) => {
          const volume = path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
          return { volume, path, initPath: `/volumes/${volume}` };
        })
      : [];
    const files = (props.volumeFiles ?? []).map((f, i) => {
      const w = writable.find((v) => f.path.startsWith(`${v.path}/`));
      if (!w) throw new Error(`volume file ${f.path} is not inside a writable path (${writable.map((v) => v.path).join(", ") || "none: readonlyRootFilesystem is off"})`);
      return { variable: `VOLUME_FILE_${i}`, initPath: `${w.initPath}${f.path.slice(w.path.length)}`, content: f.content };
    });
    const mountPoints = writable.map((w) => ({ sourceVolume: w.volume, containerPath: w.path, readOnly: false }));
    const afterVolumes = readOnly ? [{ containerName: volumeInitName, condition: "SUCCESS" }] : [];
    const withDependencies = (dependsOn: object[]) => (dependsOn.length > 0 ? { dependsOn } : {});
    const withMounts = mountPoints.length > 0 ? { mountPoints } : {};
    const containers: object[] = [];
    if (readOnly) {
      containers.push({
        name: volumeInitName,
        image: props.image,
        essential: false,
        user: "0",
        entryPoint: ["sh", "-c"],
        command: [
          [
            ...files.map((f) => `printf '%s' "$${f.variable}" > ${f.initPath} && chmod 0444 ${f.initPath}`),
            `chmod 1777 ${writable.map((w) => w.initPath).join(" ")}`,
          ].join(" && "),
        ],
        ...(files.length > 0 ? { environment: files.map((f) => ({ name: f.variable, value: f.content })) } : {}),
        mountPoints: writable.map((w) => ({ sourceVolume: w.volume, containerPath: w.initPath, readOnly: false })),
        readonlyRootFilesystem: true,
        linuxParameters: { capabilities: { drop: ["ALL"] } },
        logConfiguration,
      });
    }
    const migration = props.migration;
    if (migration) {
      containers.push({
        name: migrationName,
        image: props.image,
        essential: false,
        entryPoint: migration.entryPoint,
        command: migration.command,
        environment: byName(migration.environment, "value"),
        secrets: byName(migration.secrets, "valueFrom"),
        readonlyRootFilesystem: readOnly,
        ...withDependencies(afterVolumes),
        ...withMounts,
        logConfiguration,
      });
    }
    containers.unshift({
      name: containerName,
      image: props.image,
      essential: true,
      ...(props.command ? { command: props.command } : {}),
      portMappings: [{ containerPort: port, hostPort: port, protocol: "tcp" }],
      environment: byName(props.environment, "value"),
      secrets: byName(props.secrets, "valueFrom"),
      logConfiguration,
      readonlyRootFilesystem: readOnly,
      ...withDependencies([...afterVolumes, ...(migration ? [{ containerName: migrationName, condition: "SUCCESS" }] : [])]),
      ...withMounts,
    });

    const volumes = writable.map((w) => ({ name: w.volume }));
    this.cluster = new EcsCluster(this, "cluster", {
      name: props.clusterName,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: props.family ?? props.clusterName,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memory),
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: JSON.stringify(containers),
      volume: volumes.length > 0 ? volumes : undefined,
      dependsOn: props.taskDefinitionDependsOn?.length ? props.taskDefinitionDependsOn : undefined,
    });
    this.service = new EcsService(this, "service", {
      name: props.serviceName ?? ZENML_SERVICE_NAME,
      cluster: this.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      desiredCount: props.desiredCount,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds,
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
