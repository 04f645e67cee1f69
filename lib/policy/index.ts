/** The policy pack: rules, suppressions, the synth-time aspect and the JSON/plan checker. */
export * from "./types";
export { suppress, suppressionsOf } from "./suppress";
export { applyPolicies, checkConstructTree, PolicyAspect, PolicyViolationError, formatViolations, policyResultOf } from "./aspect";
export { writePolicyOutputs, policyDir, POLICY_FILES } from "./outputs";
export { evaluate, failures, suppressed } from "./engine";
export { loadInput, PolicyInputError } from "./load";
export { ALL_RULES, RULES_BY_ID } from "./rules";
