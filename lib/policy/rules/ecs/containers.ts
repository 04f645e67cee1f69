/** Container definitions of an ECS task definition (JSON string in both synth and plan JSON). */
import { parseJson } from "../../attributes";
import { Attributes } from "../../types";

/** The task definition's containers, or undefined when the JSON is unknown until apply. */
export function containerDefinitions(a: Attributes): Record<string, any>[] | undefined {
  const defs = parseJson(a.container_definitions);
  return Array.isArray(defs) ? (defs.filter((d) => d && typeof d === "object") as Record<string, any>[]) : undefined;
}
