/**
 * The container definitions of an `aws_ecs_task_definition` change, parsed from the JSON string on
 * each side, unless that side is sensitive or unknown (then nothing is read from it).
 */
import { ResourceChange, isSensitive, isUnknown } from "./plan";

/** What the review reads of one container. */
export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly environment: ReadonlyMap<string, string>;
  /** Secret name → valueFrom (an ARN, not a secret value). */
  readonly secrets: ReadonlyMap<string, string>;
  readonly command: readonly string[];
}

/** The containers on one side, or "sensitive"/"unknown"/undefined (absent). */
export function containersOf(rc: ResourceChange, side: "before" | "after"): Container[] | "sensitive" | "unknown" | undefined {
  const path = ["container_definitions"];
  if (isSensitive(rc, side, path)) return "sensitive";
  if (side === "after" && isUnknown(rc, path)) return "unknown";
  const raw = (side === "before" ? rc.change.before : rc.change.after)?.container_definitions;
  if (typeof raw !== "string") return undefined;
  let list: any[];
  try {
    list = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  return list.map((c) => ({
    name: String(c.name),
    ...(typeof c.image === "string" ? { image: c.image } : {}),
    environment: new Map((c.environment ?? []).map((e: any) => [String(e.name), String(e.value ?? "")])),
    secrets: new Map((c.secrets ?? []).map((s: any) => [String(s.name), String(s.valueFrom ?? "")])),
    command: Array.isArray(c.command) ? c.command.map(String) : [],
  }));
}

/** `repo:tag` → `tag` (or the digest), for "image tag before → after". */
export const imageTag = (image: string | undefined): string | undefined => {
  if (!image) return undefined;
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(at + 1);
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/") ? image.slice(colon + 1) : "latest";
};
