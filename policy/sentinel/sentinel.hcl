# HCP Terraform / Terraform Enterprise policy set (Sentinel, tfplan/v2): documented equivalents of
# the most important rules of lib/policy. NOT executed in this repository (no Sentinel runtime here);
# `npm run policy` and the conftest set in policy/ are what CI runs.
#
# Exceptions: Sentinel sees only the plan, not the suppressions in cdk.tf.json, so accepted
# exceptions are listed by resource address below (`npm run policy -- --format json` prints the
# suppressed findings with their addresses).

param "public_alb_addresses" {
  # ZNALB4 / ZNVPC5: the guide's internet-facing ALB and its 443/80 ingress rules.
  value = []
}

param "public_egress_addresses" {
  # ZNVPC6: the ECS tasks' HTTPS egress rule.
  value = []
}

policy "rds-encrypted-private" {
  source            = "./rds-encrypted-private.sentinel"
  enforcement_level = "hard-mandatory"
}

policy "alb-hardened" {
  source            = "./alb-hardened.sentinel"
  enforcement_level = "hard-mandatory"
}

policy "sg-no-public-ingress" {
  source            = "./sg-no-public-ingress.sentinel"
  enforcement_level = "hard-mandatory"
}

policy "ecs-task-hardened" {
  source            = "./ecs-task-hardened.sentinel"
  enforcement_level = "hard-mandatory"
}

policy "s3-bucket-hardened" {
  source            = "./s3-bucket-hardened.sentinel"
  enforcement_level = "soft-mandatory"
}
