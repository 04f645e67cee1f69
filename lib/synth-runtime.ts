/**
 * How this process runs cdktf for a synth, set once before the app is built: by main.ts, and by the
 * tests' jest setup (__tests__/setup.ts) so they build the app as it runs.
 *
 * - No token creation stack traces. cdktf records a full stack trace at every token's creation, used only
 *   in messages about misused tokens; it is the largest single cost of a synth (about a quarter of the
 *   50-workspace benchmark, bench/README.md), and more under jest, whose source-map support maps every
 *   frame of every trace (a fifth of the unit tests' in-process time). `ZENML_CREATION_STACKS=1` keeps
 *   them, to debug such a message; CDK Terrain has the same switch (CDKTN_DISABLE_CREATION_STACK).
 * - Each Terraform function's arguments resolved once ({@link resolveFunctionArgumentsOnce}).
 */
import { resolveFunctionArgumentsOnce } from "./resolve-once";

/**
 * Sets up cdktf for a synth in this process. `creationStacks` is the value of ZENML_CREATION_STACKS:
 * "1" or "true" keeps the token creation stack traces.
 */
export function setUpSynthRuntime(creationStacks: string | undefined): void {
  if (!["1", "true"].includes(creationStacks ?? "")) {
    // require, not import: the module's exports object itself must be changed. Every cdktf module reads
    // the function from it at call time, so replacing it takes effect everywhere.
    const tokenStackTraces: { captureStackTrace: () => string[] } = require("cdktf/lib/tokens/private/stack-trace");
    tokenStackTraces.captureStackTrace = () => [];
  }
  resolveFunctionArgumentsOnce();
}
