/**
 * The KICS configuration file the synth writes next to each stack (`policy/kics.config`, YAML; KICS
 * reads JSON, YAML, TOML or HCL, docs/configuration-file.md). It carries the query-wide decisions:
 * `exclude-queries` drops a query everywhere, so only queries about controls that belong outside
 * these stacks (account or organization level) or about generated names are listed, each with its
 * reason. KICS has no per-resource exclusion that can be written before a scan: its inline
 * `# kics-scan ignore-line` / `ignore-block` comments are read from HCL, YAML and Dockerfile comments
 * (pkg/parser/terraform/comment), and JSON carries no comments; `exclude-results` takes the similarity
 * IDs KICS computes while scanning. Per-resource justifications therefore go through
 * `npm run policy -- --import` (rule suppressions, ./scanner-justifications).
 */

/** One query excluded everywhere, with where its control belongs. */
export interface KicsExclusion {
  /** The query's `id` in its metadata.json. */
  readonly id: string;
  readonly name: string;
  /** Folder of the query under `assets/queries/` of Checkmarx/kics. */
  readonly query: string;
  readonly reason: string;
}

const CIS_ALARMS =
  "A CIS CloudTrail metric-filter alarm: it needs the account's CloudTrail trail delivering to a CloudWatch Logs group, which these stacks do not create. " +
  "It belongs in the account security baseline (the organization trail's log group, e.g. AWS Control Tower / Security Hub CIS controls), once per account, not per workspace. " +
  "KICS raises it once per file (searchKey `resource`) whenever no metric filter in the file carries the CIS pattern, so it cannot be justified per resource.";

const cis = (id: string, name: string, query: string): KicsExclusion => ({ id, name, query: `terraform/aws/${query}`, reason: CIS_ALARMS });

/** The queries KICS skips for every stack, each with its reason. */
export const KICS_EXCLUDED_QUERIES: readonly KicsExclusion[] = [
  {
    id: "fd632aaf-b8a1-424d-a4d1-0de22fd3247a",
    name: "VPC Without Network Firewall",
    query: "terraform/aws/vpc_without_network_firewall",
    reason:
      "Network Firewall is a network-level control of the organization (a central inspection VPC or AWS Firewall Manager policy), not of one workspace VPC; " +
      "this VPC's only internet ingress is the ALB (443/80) and its egress is HTTPS through NAT.",
  },
  {
    id: "084c6686-2a70-4710-91b1-000393e54c12",
    name: "Shield Advanced Not In Use",
    query: "terraform/aws/shield_advanced_not_in_use",
    reason:
      "Shield Advanced is an organization-level subscription (one per organization, managed with AWS Firewall Manager); where it is bought, " +
      "its protection of this ALB belongs to that account's Firewall Manager policy. Shield Standard protects the ALB by default.",
  },
  {
    id: "e592a0c5-5bdb-414c-9066-5dba7cdea370",
    name: "IAM Access Analyzer Not Enabled",
    query: "terraform/aws/iam_access_analyzer_not_enabled",
    reason:
      "IAM Access Analyzer is enabled once per account or organization (an organization analyzer in the delegated security account), " +
      "not per workspace stack; a second analyzer here would duplicate its findings.",
  },
  cis("5b8d7527-de8e-4114-b9dd-9d988f1f418f", "CloudWatch AWS Config Configuration Changes Alarm Missing", "cloudwatch_aws_config_configuration_changes_alarm_missing"),
  cis("38b85c45-e772-4de8-a247-69619ca137b3", "CloudWatch AWS Organizations Changes Missing Alarm", "cloudwatch_aws_organizations_changes_missing_alarm"),
  cis("0a8e8dc5-b6fc-44fc-b5a1-969ec950f9b0", "CloudWatch Changes To NACL Alarm Missing", "cloudwatch_changes_to_nacl_alarm_missing"),
  cis("0f6cbf69-41bb-47dc-93f3-3844640bf480", "Cloudwatch Cloudtrail Configuration Changes Alarm Missing", "cloudwatch_cloudtrail_configuration_changes_alarm_missing"),
  cis("56a585f5-555c-48b2-8395-e64e4740a9cf", "CloudWatch Disabling Or Scheduled Deletion Of Customer Created CMK Alarm Missing", "cloudwatch_disabling_or_scheduled_deletion_of_customer_created_cmk_alarm_missing"),
  cis("eaaba502-2f94-411a-a3c2-83d63cc1776d", "CloudWatch IAM Policy Changes Alarm Missing", "cloudwatch_iam_policy_changes_alarm_missing"),
  cis("5864d189-ee9a-4009-ac0c-8a582e6b7919", "CloudWatch Management Console Auth Failed Alarm Missing", "cloudwatch_management_console_auth_failed_alarm_missing"),
  cis("44ceb4fa-0897-4fd2-b676-30e7a58f2933", "CloudWatch Console Sign-in Without MFA Alarm Missing", "cloudwatch_management_console_sign_in_without_mfa_alarm_missing"),
  cis("6b6874fe-4c2f-4eea-8b90-7cceaa4a125e", "CloudWatch Network Gateways Changes Alarm Missing", "cloudwatch_network_gateways_changes_alarm_missing"),
  cis("8b1b1e67-6248-4dca-bbad-93486bb181c0", "CloudWatch Root Account Use Missing", "cloudwatch_root_account_use_alarm_missing"),
  cis("2285e608-ddbc-47f3-ba54-ce7121e31216", "CloudWatch Route Table Changes Alarm Missing", "cloudwatch_route_table_changes_alarm_missing"),
  cis("27c6a499-895a-4dc7-9617-5c485218db13", "CloudWatch S3 policy Change Alarm Missing", "cloudwatch_s3_policy_change_alarm_missing"),
  cis("4beaf898-9f8b-4237-89e2-5ffdc7ee6006", "Cloudwatch Security Group Changes Alarm Missing", "cloudwatch_security_group_changes_alarm_missing"),
  cis("4c18a45b-4ab1-4790-9f83-399ac695f1e5", "CloudWatch Unauthorized Access Alarm Missing", "cloudwatch_unauthorized_access_defined_alarm_missing"),
  cis("9d0d4512-1959-43a2-a17f-72360ff06d1b", "CloudWatch VPC Changes Alarm Missing", "cloudwatch_vpc_changes_alarm_missing"),
  {
    id: "1e434b25-8763-4b00-a5ca-ca03b7abbb66",
    name: "Name Is Not Snake Case",
    query: "terraform/general/name_is_not_snake_case",
    reason:
      "A naming style check (severity INFO): cdktf generates every Terraform name from the construct path and a hash suffix (`<path>_<HASH>`, upper-case hex), " +
      "so the names are not chosen by hand; renaming them would replace the resources.",
  },
];

/** Path of a query's metadata.json in Checkmarx/kics. */
export const kicsQueryFile = (e: KicsExclusion) => `assets/queries/${e.query}/metadata.json`;

/** The YAML config (`kics scan --config <file>`): `exclude-queries` with one comment per query. */
export function kicsConfig(exclusions: readonly KicsExclusion[] = KICS_EXCLUDED_QUERIES): string {
  const lines = [
    "# Generated at synth (lib/policy/kics-config.ts); do not edit.",
    "# Use: kics scan -p <stack>/cdk.tf.json --config <this file> --report-formats json -o <stack>/policy --output-name kics",
    "# Query-wide decisions only: each query below is skipped for the whole scan, with the reason.",
    "# Per-resource justifications cannot be written here (KICS reads kics-scan ignore comments from",
    "# HCL/YAML, and JSON has no comments): apply them with `npm run policy -- --import <kics.json>`.",
    "exclude-queries:",
  ];
  for (const e of exclusions) {
    lines.push(`  # ${e.name} (${kicsQueryFile(e)}):`);
    for (const chunk of wrap(e.reason, 100)) lines.push(`  #   ${chunk}`);
    lines.push(`  - ${JSON.stringify(e.id)}`);
  }
  return lines.join("\n") + "\n";
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
