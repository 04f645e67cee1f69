/**
 * cdktf records a full stack trace at every token's creation, used only in messages about misused
 * tokens. It is the largest single cost of a synth (about a quarter of the 50-workspace benchmark,
 * bench/README.md), and more under jest, whose source-map support maps every frame of every trace
 * (a fifth of the unit tests' in-process time). CDK Terrain offers the same switch
 * (CDKTN_DISABLE_CREATION_STACK).
 */

/** The variable that keeps the traces (for debugging such a message): `ZENML_CREATION_STACKS=1`. */
export const CREATION_STACKS_VARIABLE = "ZENML_CREATION_STACKS";

/**
 * Stops cdktf from recording token creation stack traces in this process, unless `keep`. Every cdktf
 * module reads the function from this exports object at call time, so replacing it takes effect
 * everywhere; call it before the app is built.
 */
export function skipTokenCreationStacks(keep = false): void {
  if (keep) return;
  // require, not import: the module's exports object itself must be changed.
  const tokenStackTraces: { captureStackTrace: () => string[] } = require("cdktf/lib/tokens/private/stack-trace");
  tokenStackTraces.captureStackTrace = () => [];
}

/** Whether `value` (of {@link CREATION_STACKS_VARIABLE}) asks to keep the traces. */
export const keepsCreationStacks = (value: string | undefined) => ["1", "true"].includes(value ?? "");
