import { num } from "../../attributes";
import { defineRule } from "../../types";

/** ZNSEC3: deleted secrets stay recoverable. */
export const rule = defineRule({
  id: "ZNSEC3",
  service: "secrets",
  title: "Deleted secrets stay recoverable (recovery window 7-30 days)",
  description: "A recovery window of 0 deletes the secret immediately on destroy; running tasks lose it on their next start.",
  severity: "low",
  resourceTypes: ["aws_secretsmanager_secret"],
  scanners: {},
  fix: "Set recoveryWindowInDays between 7 and 30 (the default is 30).",
  check: ({ attributes: a }) => (num(a.recovery_window_in_days) === 0 ? "recovery_window_in_days is 0" : undefined),
});
