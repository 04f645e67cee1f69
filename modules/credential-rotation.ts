import { Construct } from "constructs";
import { ANY_IN_FIVE_MINUTES } from "../lib/alarm-defaults";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
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
  /**
   * AWS account ID (the roles' trust policies accept only this account's state machine and rule).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region of the state machine and rule (scopes the Step Functions role's trust policy).
   * @default none (required)
   */
  readonly region: string;
  /**
   * SNS topic the rotation-failure alarms notify (the stack's alarm topic).
   * @default none (required)
   */
  readonly alarmTopicArn: string;
}

/**
 * Keys of the alarms on a failed redeploy (`<name>-<key>`): the state machine's failed, timed-out
 * and aborted executions, and the rule's failed invocations of it.
 */
export const ROTATION_ALARM_KEYS = ["db-rotation-failed", "db-rotation-timed-out", "db-rotation-aborted", "db-rotation-failed-invocations"] as const;

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
 * A redeploy that fails, times out or never starts raises an alarm on the stack's alarm topic.
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
  /** Alarms on a failed redeploy, by key ({@link ROTATION_ALARM_KEYS}). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};

  constructor(scope: Construct, id: string, props: RotationRedeployProps) {
    super(scope, id);
    const prefix = `${props.name}-db-rotation`;
    const machineName = `${prefix}-redeploy`;

    this.rule = new CloudwatchEventRule(this, "rule", {
      name: `${prefix}`,
      description: "The RDS-managed master secret rotated (AWSCURRENT moved): replace the ZenML server tasks",
      eventPattern: JSON.stringify(rotationEventPattern(props.secretArn)),
    });

    // Step Functions: aws:SourceArn is the state machine (AWS Step Functions developer guide, "Creating
    // an IAM role for your state machine": prevent cross-service confused deputy issue). The machine
    // names this role, so its ARN is built from account, region and name (a reference would be a cycle).
    this.stateMachineRole = new IamRole(this, "states-role", {
      name: `${prefix}-states`,
      description: "Step Functions: force a new deployment of the ZenML service after a DB password rotation",
      assumeRolePolicy: serviceTrustPolicy(this, "states-assume", "states.amazonaws.com", {
        accountId: props.accountId,
        sourceArn: `arn:aws:states:${props.region}:${props.accountId}:stateMachine:${machineName}`,
      }),
    });
    const updateService = new DataAwsIamPolicyDocument(this, "states-policy", {
      statement: [{ sid: "ForceNewDeployment", actions: ["ecs:UpdateService"], resources: [props.serviceArn] }],
    });
    new IamRolePolicy(this, "states-role-policy", { name: "update-service", role: this.stateMachineRole.id, policy: updateService.json });

    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      name: machineName,
      roleArn: this.stateMachineRole.arn,
      definition: JSON.stringify(redeployDefinition(props.clusterName, props.serviceName)),
    });

    // EventBridge: for a rule's target, aws:SourceArn is the rule's ARN (Amazon EventBridge user guide,
    // "Cross-service confused deputy prevention"); the rule does not reference this role, so no cycle.
    this.eventsRole = new IamRole(this, "events-role", {
      name: `${prefix}-events`,
      description: "EventBridge: start the redeploy state machine when the DB master secret rotates",
      assumeRolePolicy: serviceTrustPolicy(this, "events-assume", "events.amazonaws.com", { accountId: props.accountId, sourceArn: this.rule.arn }),
    });
    const startExecution = new DataAwsIamPolicyDocument(this, "events-policy", {
      statement: [{ sid: "StartRedeploy", actions: ["states:StartExecution"], resources: [this.stateMachine.arn] }],
    });
    new IamRolePolicy(this, "events-role-policy", { name: "start-execution", role: this.eventsRole.id, policy: startExecution.json });

    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      targetId: "redeploy",
      arn: this.stateMachine.arn,
      roleArn: this.eventsRole.arn,
    });

    // A redeploy that gives up (after ~15 minutes of retries) leaves the tasks on the old password
    // until their next restart: page. Step Functions execution metrics carry the StateMachineArn
    // dimension (AWS Step Functions developer guide, "Step Functions metrics for CloudWatch"); a rule
    // on the default event bus has only RuleName (Amazon EventBridge user guide, "Monitoring Amazon
    // EventBridge": EventBusName is added for custom buses only). Both services publish these metrics
    // only when something happens, so missing data is "no failure".
    const [failed, timedOut, aborted, failedInvocations] = ROTATION_ALARM_KEYS;
    const machine = { namespace: "AWS/States", dimensions: { StateMachineArn: this.stateMachine.arn } };
    const alarm = (key: string, metricName: string, metric: { namespace: string; dimensions: Record<string, string> }, what: string) => {
      this.alarms[key] = new CloudwatchMetricAlarm(this, key, {
        alarmName: `${props.name}-${key}`,
        alarmDescription: `${what}: the ZenML server tasks may still hold the old DB password; force a new deployment of the service`,
        ...metric,
        metricName,
        ...ANY_IN_FIVE_MINUTES,
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    };
    alarm(failed, "ExecutionsFailed", machine, "The post-rotation redeploy failed");
    alarm(timedOut, "ExecutionsTimedOut", machine, "The post-rotation redeploy timed out");
    alarm(aborted, "ExecutionsAborted", machine, "The post-rotation redeploy was aborted");
    alarm(failedInvocations, "FailedInvocations", { namespace: "AWS/Events", dimensions: { RuleName: this.rule.name } }, "EventBridge could not start the post-rotation redeploy");
  }
}
