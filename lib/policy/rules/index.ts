/**
 * Every rule of the pack, grouped by service (one rule per file under rules/<service>/).
 * `__tests__/rules.test.ts` checks that each rule file is listed here.
 */
import { Rule } from "../types";
import { rule as rds_auto_minor_upgrade } from "./rds/rds-auto-minor-upgrade";
import { rule as rds_backup_retention } from "./rds/rds-backup-retention";
import { rule as rds_ca_certificate } from "./rds/rds-ca-certificate";
import { rule as rds_copy_tags_to_snapshot } from "./rds/rds-copy-tags-to-snapshot";
import { rule as rds_deletion_protection } from "./rds/rds-deletion-protection";
import { rule as rds_enhanced_monitoring } from "./rds/rds-enhanced-monitoring";
import { rule as rds_iam_auth } from "./rds/rds-iam-auth";
import { rule as rds_log_exports } from "./rds/rds-log-exports";
import { rule as rds_managed_master_password } from "./rds/rds-managed-master-password";
import { rule as rds_multi_az } from "./rds/rds-multi-az";
import { rule as rds_not_public } from "./rds/rds-not-public";
import { rule as rds_performance_insights_kms } from "./rds/rds-performance-insights-kms";
import { rule as rds_performance_insights } from "./rds/rds-performance-insights";
import { rule as rds_require_tls } from "./rds/rds-require-tls";
import { rule as rds_storage_encrypted } from "./rds/rds-storage-encrypted";
import { rule as alb_access_logs } from "./alb/alb-access-logs";
import { rule as alb_deletion_protection } from "./alb/alb-deletion-protection";
import { rule as alb_desync_mitigation } from "./alb/alb-desync-mitigation";
import { rule as alb_drop_invalid_headers } from "./alb/alb-drop-invalid-headers";
import { rule as alb_internal } from "./alb/alb-internal";
import { rule as alb_listener_https } from "./alb/alb-listener-https";
import { rule as alb_listener_tls_policy } from "./alb/alb-listener-tls-policy";
import { rule as alb_target_group_health_check } from "./alb/alb-target-group-health-check";
import { rule as alb_target_group_https } from "./alb/alb-target-group-https";
import { rule as alb_waf } from "./alb/alb-waf";
import { rule as ecs_circuit_breaker } from "./ecs/ecs-circuit-breaker";
import { rule as ecs_container_insights } from "./ecs/ecs-container-insights";
import { rule as ecs_container_logging } from "./ecs/ecs-container-logging";
import { rule as ecs_fargate_latest } from "./ecs/ecs-fargate-latest";
import { rule as ecs_no_host_namespaces } from "./ecs/ecs-no-host-namespaces";
import { rule as ecs_no_plaintext_secrets } from "./ecs/ecs-no-plaintext-secrets";
import { rule as ecs_no_privileged } from "./ecs/ecs-no-privileged";
import { rule as ecs_no_public_ip } from "./ecs/ecs-no-public-ip";
import { rule as ecs_read_only_root } from "./ecs/ecs-read-only-root";
import { rule as ecs_separate_roles } from "./ecs/ecs-separate-roles";
import { rule as ecr_immutable_tags } from "./ecr/ecr-immutable-tags";
import { rule as ecr_kms } from "./ecr/ecr-kms";
import { rule as ecr_scan_on_push } from "./ecr/ecr-scan-on-push";
import { rule as s3_access_logging } from "./s3/s3-access-logging";
import { rule as s3_acls_disabled } from "./s3/s3-acls-disabled";
import { rule as s3_encryption } from "./s3/s3-encryption";
import { rule as s3_event_notifications } from "./s3/s3-event-notifications";
import { rule as s3_kms_encryption } from "./s3/s3-kms-encryption";
import { rule as s3_lifecycle } from "./s3/s3-lifecycle";
import { rule as s3_public_access_block } from "./s3/s3-public-access-block";
import { rule as s3_replication } from "./s3/s3-replication";
import { rule as s3_tls_only_policy } from "./s3/s3-tls-only-policy";
import { rule as s3_versioning } from "./s3/s3-versioning";
import { rule as iam_no_admin_actions } from "./iam/iam-no-admin-actions";
import { rule as iam_no_admin_managed_policies } from "./iam/iam-no-admin-managed-policies";
import { rule as iam_no_public_principal } from "./iam/iam-no-public-principal";
import { rule as iam_no_service_wildcards } from "./iam/iam-no-service-wildcards";
import { rule as iam_no_wildcard_resources } from "./iam/iam-no-wildcard-resources";
import { rule as iam_trust_policy } from "./iam/iam-trust-policy";
import { rule as iam_service_trust_source } from "./iam/iam-service-trust-source";
import { rule as kms_explicit_policy } from "./kms/kms-explicit-policy";
import { rule as kms_no_wildcard_policy } from "./kms/kms-no-wildcard-policy";
import { rule as kms_rotation } from "./kms/kms-rotation";
import { rule as logs_kms } from "./logs/logs-kms";
import { rule as logs_retention_year } from "./logs/logs-retention-year";
import { rule as logs_retention } from "./logs/logs-retention";
import { rule as secrets_kms } from "./secrets/secrets-kms";
import { rule as secrets_recovery_window } from "./secrets/secrets-recovery-window";
import { rule as secrets_rotation } from "./secrets/secrets-rotation";
import { rule as vpc_default_sg_closed } from "./vpc/vpc-default-sg-closed";
import { rule as vpc_flow_logs } from "./vpc/vpc-flow-logs";
import { rule as vpc_no_all_ports } from "./vpc/vpc-no-all-ports";
import { rule as vpc_no_public_egress } from "./vpc/vpc-no-public-egress";
import { rule as vpc_no_public_ingress } from "./vpc/vpc-no-public-ingress";
import { rule as vpc_sg_descriptions } from "./vpc/vpc-sg-descriptions";
import { rule as vpc_subnet_no_public_ip } from "./vpc/vpc-subnet-no-public-ip";
import { rule as sns_kms } from "./sns/sns-kms";
import { rule as dynamodb_kms } from "./dynamodb/dynamodb-kms";
import { rule as dynamodb_pitr } from "./dynamodb/dynamodb-pitr";

/** All rules, ordered by service and ID. */
export const ALL_RULES: readonly Rule[] = [
  rds_auto_minor_upgrade,
  rds_backup_retention,
  rds_ca_certificate,
  rds_copy_tags_to_snapshot,
  rds_deletion_protection,
  rds_enhanced_monitoring,
  rds_iam_auth,
  rds_log_exports,
  rds_managed_master_password,
  rds_multi_az,
  rds_not_public,
  rds_performance_insights_kms,
  rds_performance_insights,
  rds_require_tls,
  rds_storage_encrypted,
  alb_access_logs,
  alb_deletion_protection,
  alb_desync_mitigation,
  alb_drop_invalid_headers,
  alb_internal,
  alb_listener_https,
  alb_listener_tls_policy,
  alb_target_group_health_check,
  alb_target_group_https,
  alb_waf,
  ecs_circuit_breaker,
  ecs_container_insights,
  ecs_container_logging,
  ecs_fargate_latest,
  ecs_no_host_namespaces,
  ecs_no_plaintext_secrets,
  ecs_no_privileged,
  ecs_no_public_ip,
  ecs_read_only_root,
  ecs_separate_roles,
  ecr_immutable_tags,
  ecr_kms,
  ecr_scan_on_push,
  s3_access_logging,
  s3_acls_disabled,
  s3_encryption,
  s3_event_notifications,
  s3_kms_encryption,
  s3_lifecycle,
  s3_public_access_block,
  s3_replication,
  s3_tls_only_policy,
  s3_versioning,
  iam_no_admin_actions,
  iam_no_admin_managed_policies,
  iam_no_public_principal,
  iam_no_service_wildcards,
  iam_no_wildcard_resources,
  iam_trust_policy,
  iam_service_trust_source,
  kms_explicit_policy,
  kms_no_wildcard_policy,
  kms_rotation,
  logs_kms,
  logs_retention_year,
  logs_retention,
  secrets_kms,
  secrets_recovery_window,
  secrets_rotation,
  vpc_default_sg_closed,
  vpc_flow_logs,
  vpc_no_all_ports,
  vpc_no_public_egress,
  vpc_no_public_ingress,
  vpc_sg_descriptions,
  vpc_subnet_no_public_ip,
  sns_kms,
  dynamodb_kms,
  dynamodb_pitr,
].sort((a, b) => a.service.localeCompare(b.service) || a.id.localeCompare(b.id, undefined, { numeric: true }));

/** Rules by ID. */
export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((r) => [r.id, r]));
