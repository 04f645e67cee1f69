import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { serviceTrustPolicy } from "../lib/trust-policy";

/** Props of {@link RotationRedeploy}. */
export interface RotationRedeployProps {
  /**
   * Base name of the rule, state machine and roles (`<name>-db-rotation-...`).
   * @default none (required)
   */
  readonly name: string;
  /**
   * ARN of the secret whose rotation replaces the tasks (the RDS-managed master secret).
   * @default none (required)
   */
  readonly secretArn: string;
  /**
   * Name of the ECS cluster.
   * @default none (required)
   */
  readonly clusterName: string;
  /**
   * Name of the ECS service whose tasks read the secret at start.
   * @default none (required)
   */
  readonly serviceName: string;
  /**
   * ARN of that ECS service (the only resource the state machine may update).
   * @default none (required)
   */
  readonly serviceArn: string;
}

/**
 * The EventBridge pattern of the end of a rotation of `secretArn`: Secrets Manager's native
 * "Secret Label Updated" event when AWSCURRENT moves to a new version (the last step of every
 * rotation, managed or not). Secrets Manager publishes it to the default bus itself, so no
 * CloudTrail trail is involved (AWS Secrets Manager user guide, "Secret event notifications" and
 * "Secret Label Updated event").
 */
export function rotationEventPattern(secretArn: string): Record<string, unknown> {
  return {
    source: ["aws.secretsmanager"],
    "detail-type": ["Secret Label Updated"],
    resources: [secretArn],
    detail: { labelUpdated: ["AWSCURRENT"] },
  };
}

/**
 * The Amazon States Language definition: one task that calls ECS UpdateService with
 * forceNewDeployment through the Step Functions AWS SDK integration (no Lambda), retried on
 * throttling and transient errors.
 */
export function redeployDefinition(clusterName: string, serviceName: string): Record<string, unknown> {
  return {
    Comment: "Replace the ZenML server tasks so they read the rotated database password",
    StartAt: "ForceNewDeployment",
    States: {
      ForceNewDeployment: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
        Parameters: { Cluster: clusterName, Service: serviceName, ForceNewDeployment: true },
        Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 30, MaxAttempts: 5, BackoffRate: 2 }],
        End: true,
      },
    },
  };
}

/**
 * Rotation that never strands the service: when the RDS-managed master secret rotates, ECS tasks
 * still hold the old password (injected at task start). An EventBridge rule on the end of the
 * rotation starts a Step Functions state machine that forces a new deployment of the service, so
 * ECS replaces the tasks one by one (the circuit breaker and health checks apply as for any deploy).
 */
export class RotationRedeploy extends Construct {
  /** The rule matching the rotation of the secret. */
  public readonly rule: CloudwatchEventRule;
  /** The state machine calling ecs:UpdateService. */
  public readonly stateMachine: SfnStateMachine;
  /** Role of the state machine (ecs:UpdateService on the service only). */
  public readonly stateMachineRole: IamRole;
  /** Role EventBridge assumes to start the state machine (states:StartExecution on it only). */
  public readonly eventsRole: IamRole;

  constructor(scope: Construct, id: string, props: RotationRedeployProps) {
    super(scope, id);
    const prefix = `${props.name}-db-rotation`;
    const assume = (service: string) => serviceTrustPolicy(this, `${service.split(".")[0]}-assume`, service);

    this.stateMachineRole = new IamRole(this, "states-role", {
      name: `${prefix}-states`,
      description: "Step Functions: force a new deployment of the ZenML service after a DB password rotation",
      assumeRolePolicy: assume("states.amazonaws.com"),
    });
    const updateService = new DataAwsIamPolicyDocument(this, "states-policy", {
      statement: [{ sid: "ForceNewDeployment", actions: ["ecs:UpdateService"], resources: [props.serviceArn] }],
    });
    new IamRolePolicy(this, "states-role-policy", { name: "update-service", role: this.stateMachineRole.id, policy: updateService.json });

    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      name: `${prefix}-redeploy`,
      roleArn: this.stateMachineRole.arn,
      definition: JSON.stringify(redeployDefinition(props.clusterName, props.serviceName)),
    });

    this.eventsRole = new IamRole(this, "events-role", {
      name: `${prefix}-events`,
      description: "EventBridge: start the redeploy state machine when the DB master secret rotates",
      assumeRolePolicy: assume("events.amazonaws.com"),
    });
    const startExecution = new DataAwsIamPolicyDocument(this, "events-policy", {
      statement: [{ sid: "StartRedeploy", actions: ["states:StartExecution"], resources: [this.stateMachine.arn] }],
    });
    new IamRolePolicy(this, "events-role-policy", { name: "start-execution", role: this.eventsRole.id, policy: startExecution.json });

    this.rule = new CloudwatchEventRule(this, "rule", {
      name: `${prefix}`,
      description: "The RDS-managed master secret rotated (AWSCURRENT moved): replace the ZenML server tasks",
      eventPattern: JSON.stringify(rotationEventPattern(props.secretArn)),
    });
    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      targetId: "redeploy",
      arn: this.stateMachine.arn,
      roleArn: this.eventsRole.arn,
    });
  }
}
