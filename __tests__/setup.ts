// The tests build the app as main.ts runs it: no cdktf token creation stack traces (unless
// ZENML_CREATION_STACKS=1; under jest they cost more than in the app, as jest's source-map support maps
// every frame of every trace), and each Terraform function's arguments resolved once.
import { resolveFunctionArgumentsOnce } from "../lib/resolve-once";
import { CREATION_STACKS_VARIABLE, keepsCreationStacks, skipTokenCreationStacks } from "../lib/token-creation-stacks";

skipTokenCreationStacks(keepsCreationStacks(process.env[CREATION_STACKS_VARIABLE]));
resolveFunctionArgumentsOnce();
