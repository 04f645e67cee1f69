/**
 * Reading `terraform show -json` plans: resource changes, their action, and attribute values with
 * Terraform's sensitivity (`before_sensitive`/`after_sensitive`) and unknown (`after_unknown`) marks.
 * Every value the review prints goes through {@link display}: a sensitive value is never returned,
 * not even in part or hashed.
 */
import { Action, ReplaceOrder } from "./model";

type Json = Record<string, any>;

/** One entry of `resource_changes`. */
export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly mode: "managed" | "data";
  readonly action: Action;
  /** For a replacement: whether the new object exists before the old one goes. */
  readonly order?: ReplaceOrder;
  readonly actionReason?: string;
  /** The address before a `moved` block (`previous_address`). */
  readonly previousAddress?: string;
  /** The import ID when the change also imports (`change.importing`); "(unknown)" when not known yet. */
  readonly importing?: string;
  /** Set on a `deferred_changes` entry: why Terraform defers it. */
  readonly deferredReason?: string;
  /** Set when the change is to a deposed object (left over by a failed create_before_destroy). */
  readonly deposed?: string;
  readonly change: {
    readonly actions?: readonly string[];
    readonly before: any;
    readonly after: any;
    readonly before_sensitive?: any;
    readonly after_sensitive?: any;
    readonly after_unknown?: any;
    readonly replace_paths?: Array<Array<string | number>>;
  };
}

const SINGLE: readonly string[] = ["create", "update", "delete", "forget", "no-op", "read"];

/**
 * The action of Terraform's `actions` list (hashicorp/terraform internal/command/jsonplan/plan.go,
 * `actionString`/`UnmarshalActions`): `["no-op"]`, `["create"]`, `["read"]`, `["update"]`, `["delete"]`,
 * `["forget"]`, and the replacements `["delete","create"]`, `["create","delete"]`, `["create","forget"]`.
 * An unknown list throws: reading it as a no-op would hide a change.
 */
export function actionOf(actions: readonly string[]): Action {
  const key = actions.join(",");
  if (key === "delete,create" || key === "create,delete" || key === "create,forget") return "replace";
  if (actions.length === 1 && SINGLE.includes(actions[0])) return actions[0] as Action;
  throw new Error(`unknown plan action list [${actions.join(", ")}] (hashicorp/terraform internal/command/jsonplan/plan.go lists the known ones)`);
}

/** The order of a replacement: the new object first (`create` leads) or the old one deleted first. */
export function replaceOrder(actions: readonly string[]): ReplaceOrder | undefined {
  if (actionOf(actions) !== "replace") return undefined;
  return actions[0] === "create" ? "create-before-destroy" : "delete-before-create";
}

/**
 * Whether a document is a plan (`terraform show -json` of a saved plan). `resource_changes` is omitted
 * when empty (jsonplan/plan.go `omitempty`: a plan without changes, a refresh-only plan), so a plan is
 * recognised by its format version and its planned values or configuration.
 */
export function isPlan(doc: unknown): doc is Json {
  if (!doc || typeof doc !== "object") return false;
  const d = doc as Json;
  if (typeof d.format_version !== "string") return false;
  if (d.resource_changes !== undefined) return Array.isArray(d.resource_changes);
  return typeof d.planned_values === "object" || typeof d.configuration === "object" || Array.isArray(d.resource_drift);
}

/** One `resource_changes`/`resource_drift` entry (jsonplan `ResourceChange`, internal/command/jsonplan/resource.go). */
function readChange(c: Json, deferredReason?: string): ResourceChange {
  const actions: string[] = c.change?.actions ?? [];
  const order = replaceOrder(actions);
  const importing = c.change?.importing;
  return {
    address: c.address,
    type: c.type,
    name: String(c.name),
    mode: c.mode === "data" ? "data" : "managed",
    action: actionOf(actions),
    ...(order ? { order } : {}),
    ...(c.action_reason ? { actionReason: c.action_reason } : {}),
    ...(c.previous_address ? { previousAddress: c.previous_address } : {}),
    ...(importing ? { importing: importing.unknown ? "(unknown)" : String(importing.id ?? (importing.identity ? JSON.stringify(importing.identity) : "")) } : {}),
    ...(deferredReason ? { deferredReason } : {}),
    ...(c.deposed ? { deposed: c.deposed } : {}),
    change: c.change ?? {},
  };
}

/** The resource changes of a plan. */
export function resourceChanges(plan: Json): ResourceChange[] {
  return ((plan.resource_changes ?? []) as Json[]).map((c) => readChange(c));
}

/**
 * The deferred changes of a partial plan (`deferred_changes`: `{ reason, resource_change }`), each with
 * its reason (jsonplan `DeferredResourceChange`).
 */
export function deferredChanges(plan: Json): ResourceChange[] {
  return ((plan.deferred_changes ?? []) as Json[]).filter((d) => d?.resource_change).map((d) => readChange(d.resource_change, String(d.reason ?? "unknown")));
}

/**
 * The objects changed outside Terraform (`resource_drift`): `before` is the state Terraform recorded,
 * `after` what the refresh read. Terraform lists drift only when it is not a no-op (outside
 * refresh-only mode), jsonplan/plan.go `Marshal`.
 */
export function resourceDrift(plan: Json): ResourceChange[] {
  return ((plan.resource_drift ?? []) as Json[]).map((c) => readChange(c));
}

export type Path = ReadonlyArray<string | number>;

/** The value at a path (undefined when absent). */
export function at(value: unknown, path: Path): any {
  let v: any = value;
  for (const p of path) {
    if (v === null || v === undefined || typeof v !== "object") return undefined;
    v = v[p as any];
  }
  return v;
}

/** Whether a sensitivity/unknown mark tree marks `path` (or any prefix of it, or anything below it). */
export function marked(marks: unknown, path: Path): boolean {
  let m: any = marks;
  for (const p of path) {
    if (m === true) return true;
    if (m === null || m === undefined || typeof m !== "object") return false;
    m = m[p as any];
  }
  return containsTrue(m);
}

function containsTrue(m: unknown): boolean {
  if (m === true) return true;
  if (Array.isArray(m)) return m.some(containsTrue);
  if (m && typeof m === "object") return Object.values(m).some(containsTrue);
  return false;
}

/** Whether the before or after value at `path` is sensitive. */
export const isSensitive = (rc: ResourceChange, side: "before" | "after", path: Path): boolean =>
  marked(side === "before" ? rc.change.before_sensitive : rc.change.after_sensitive, path);

/** Whether the after value at `path` is known only after apply. */
export const isUnknown = (rc: ResourceChange, path: Path): boolean => marked(rc.change.after_unknown, path);

export const SENSITIVE = "(sensitive)";
export const UNKNOWN = "(known after apply)";
export const ABSENT = "(none)";

/** A plain value for display, shortened when long. */
export function formatValue(v: unknown, max = 80): string {
  if (v === undefined || v === null) return ABSENT;
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The value at `path` on one side, for display: "(sensitive)", "(known after apply)" or the value. */
export function display(rc: ResourceChange, side: "before" | "after", path: Path): string {
  if (isSensitive(rc, side, path)) return SENSITIVE;
  if (side === "after" && isUnknown(rc, path)) return UNKNOWN;
  return formatValue(at(side === "before" ? rc.change.before : rc.change.after, path));
}

/** The readable value at `path` on one side, or undefined when sensitive or unknown (for analysis, never for printing secrets). */
export function readable(rc: ResourceChange, side: "before" | "after", path: Path): any {
  if (isSensitive(rc, side, path)) return undefined;
  if (side === "after" && isUnknown(rc, path)) return undefined;
  return at(side === "before" ? rc.change.before : rc.change.after, path);
}

/** A path as `a.b[0].c`. */
export const pathText = (path: Path): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

/** A copy of `value` with every leaf marked in `marks` removed (undefined). */
function scrub(value: unknown, marks: unknown): unknown {
  if (marks === true) return undefined;
  if (!marks || typeof marks !== "object" || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => scrub(v, (marks as any)[i]));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrub(v, (marks as any)[k])]));
}

/** One side of a change with its sensitive (and, after, unknown) parts removed: safe to analyse field by field. */
export function readableObject(rc: ResourceChange, side: "before" | "after"): Record<string, any> | undefined {
  const raw = side === "before" ? rc.change.before : rc.change.after;
  if (raw === null || raw === undefined) return undefined;
  let v = scrub(raw, side === "before" ? rc.change.before_sensitive : rc.change.after_sensitive);
  if (side === "after") v = scrub(v, rc.change.after_unknown);
  return v as Record<string, any>;
}
