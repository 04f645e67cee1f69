import { strings } from "../../attributes";
import { defineRule } from "../../types";

/** AWS managed policies that amount to account administration. */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

/** ZNIAM5: no administrator managed policies are attached. */
export const rule = defineRule({
  id: "ZNIAM5",
  service: "iam",
  title: "No AdministratorAccess / IAMFullAccess / PowerUserAccess attachments",
  description: "These managed policies give a workload control over the whole account.",
  severity: "critical",
  resourceTypes: [
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_role",
  ],
  scanners: { checkov: ["CKV_AWS_274"] },
  fix: "Attach a policy with the specific actions and resources the principal needs.",
  check: ({ attributes: a }) =>
    [...strings(a.policy_arn), ...strings(a.managed_policy_arns)]
      .filter((arn) => ADMIN_MANAGED_POLICIES.some((p) => new RegExp(`^arn:aws[a-z-]*:iam::aws:policy/${p}$`).test(arn)))
      .map((arn) => `attaches ${arn}`),
});
