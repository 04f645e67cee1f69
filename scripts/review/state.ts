/**
 * State (warn/info): what enters or leaves Terraform's care without AWS changing, and what a partial
 * plan leaves for later. A forgotten resource (`["forget"]`, a `removed` block with
 * `lifecycle { destroy = false }`, or the old half of `["create","forget"]`) stays in AWS but Terraform
 * no longer changes, protects or destroys it: a warn for one holding data or identity, else info. An
 * import (`change.importing`), a move (`previous_address`, a `moved` block) and a deferred change
 * (`deferred_changes`) are info. Field names: hashicorp/terraform internal/command/jsonplan/plan.go
 * (`Change.Importing`, `DeferredResourceChange`) and resource.go (`PreviousAddress`).
 */
import { DATA_HOLDING } from "./data-loss";
import { Finding, findingOf } from "./model";
import { ResourceChange } from "./plan";

const forgetWarn = findingOf("warn", "state", "review/state/forget-stateful");
const forgetInfo = findingOf("info", "state", "review/state/forget");
const importInfo = findingOf("info", "state", "review/state/import");
const moveInfo = findingOf("info", "state", "review/state/move");
const deferredInfo = findingOf("info", "state", "review/state/deferred");

/** Why Terraform defers a change (jsonplan/plan.go `DeferredReason…`). */
const DEFERRED: Readonly<Record<string, string>> = {
  instance_count_unknown: "its count/for_each is known only after apply",
  resource_config_unknown: "its configuration is known only after apply",
  provider_config_unknown: "its provider's configuration is known only after apply",
  deferred_prereq: "something it depends on is deferred",
  absent_prereq: "something it depends on does not exist yet",
  excluded: "it was excluded from this run",
  not_included: "it was not included in this run",
  unknown: "for a reason Terraform does not name",
};

/** State findings of one change (`deferred`: an entry of `deferred_changes`). */
export function stateFindings(rc: ResourceChange): Finding[] {
  if (rc.mode !== "managed") return [];
  const out: Finding[] = [];
  const forgets = rc.action === "forget" || (rc.change.actions ?? []).includes("forget");
  if (forgets) {
    const what = DATA_HOLDING[rc.type];
    const head = rc.action === "replace" ? "A new one is created and the old one is forgotten" : "Forgotten (a removed block with destroy = false)";
    const tail = "Terraform no longer changes, protects or destroys it, and it keeps costing; adopt it again with an import block, or delete it in AWS";
    out.push(what ? forgetWarn(rc, `${head}: it stays in AWS, ${what}, but leaves Terraform's care. ${tail}.`) : forgetInfo(rc, `${head}: it stays in AWS but leaves Terraform's care. ${tail}.`));
  }
  if (rc.importing !== undefined) {
    const then = rc.action === "no-op" ? "no change in AWS" : rc.action === "update" ? "then updated in place" : rc.action === "replace" ? "then REPLACED" : `then ${rc.action}`;
    out.push(importInfo(rc, `imported (an import block): Terraform takes over the existing object ${rc.importing}; ${then}`, "id", "(not in state)", rc.importing));
  }
  if (rc.previousAddress) {
    const then = rc.action === "no-op" ? "no change in AWS" : `then ${rc.action}`;
    out.push(moveInfo(rc, `moved (a moved block) from ${rc.previousAddress}: the same object under a new address; ${then}`, "address", rc.previousAddress, rc.address));
  }
  if (rc.deferredReason !== undefined) {
    out.push(deferredInfo(rc, `deferred: ${rc.action} planned in a later run, because ${DEFERRED[rc.deferredReason] ?? rc.deferredReason}; apply, then plan again`));
  }
  return out;
}
