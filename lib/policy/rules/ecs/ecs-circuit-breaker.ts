import { block, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNECS10: failed deployments roll back automatically. */
export const rule = defineRule({
  id: "ZNECS10",
  service: "ecs",
  title: "ECS deployments use the circuit breaker with rollback",
  description: "Without the circuit breaker a release whose tasks never become healthy keeps replacing tasks until someone intervenes.",
  severity: "low",
  resourceTypes: ["aws_ecs_service"],
  scanners: {},
  fix: "Set deploymentCircuitBreaker: { enable: true, rollback: true }.",
  check: ({ attributes: a }) => {
    const controller = block(a, "deployment_controller")?.type;
    if (controller && controller !== "ECS") return;
    const cb = block(a, "deployment_circuit_breaker");
    if (!cb || !isTrue(cb.enable) || !isTrue(cb.rollback)) return "deployment_circuit_breaker is not enabled with rollback";
    return undefined;
  },
});
