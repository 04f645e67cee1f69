// As the app runs (main.ts): no cdktf token creation stack traces, unless ZENML_CREATION_STACKS=1.
// Under jest they cost more than in the app: jest's source-map support maps every frame of every trace.
import { CREATION_STACKS_VARIABLE, keepsCreationStacks, skipTokenCreationStacks } from "../lib/token-creation-stacks";

skipTokenCreationStacks(keepsCreationStacks(process.env[CREATION_STACKS_VARIABLE]));
