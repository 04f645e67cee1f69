// The tests build the app as main.ts runs it (lib/synth-runtime.ts): no cdktf token creation stack traces
// unless ZENML_CREATION_STACKS=1, and each Terraform function's arguments resolved once.
import { setUpSynthRuntime } from "../lib/synth-runtime";

setUpSynthRuntime(process.env.ZENML_CREATION_STACKS);
