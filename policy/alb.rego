# Load balancers, listeners, target groups (rule IDs of lib/policy/rules/alb).
package main

import rego.v1

# Load balancers of every type; application load balancers (load_balancer_type: AWS default application).
_lbs contains r if {
	some t in ["aws_lb", "aws_alb"]
	some r in of_type(t)
}

_albs contains r if {
	some r in _lbs
	attr(r, "load_balancer_type", "application") == "application"
}

_listeners contains r if {
	some t in ["aws_lb_listener", "aws_alb_listener"]
	some r in of_type(t)
}

# drop_invalid_header_fields: AWS default false.
deny contains msg if {
	some r in _albs
	not is_true(attr(r, "drop_invalid_header_fields", false))
	not suppressed("ZNALB1", r)
	msg := format_finding("ZNALB1", r, "invalid header fields are forwarded", "set drop_invalid_header_fields = true")
}

deny contains msg if {
	some r in _lbs
	not _access_logs_on(r)
	not suppressed("ZNALB2", r)
	msg := format_finding("ZNALB2", r, "access logs are not enabled", "set access_logs { bucket, enabled = true }")
}

# access_logs { enabled }: AWS default false, even when a bucket is given.
_access_logs_on(r) if {
	logs := block(r.values.access_logs)
	is_true(object.get(logs, "enabled", false))
	_logs_bucket_set(r, logs)
}

_logs_bucket_set(_, logs) if not _empty(object.get(logs, "bucket", ""))

# A plan knows the bucket only after apply when it is created in the same plan.
_logs_bucket_set(r, _) if {
	unknown_logs := block(_after_unknown(r).access_logs)
	unknown_logs.bucket == true
}

# internal: AWS default false (internet-facing).
deny contains msg if {
	some r in _lbs
	not is_true(attr(r, "internal", false))
	not suppressed("ZNALB4", r)
	msg := format_finding("ZNALB4", r, "the load balancer is internet-facing", "set internal = true, or suppress with the reason it must be public")
}

# protocol: AWS default HTTP for an application load balancer's listener.
deny contains msg if {
	some r in _listeners
	not attr(r, "protocol", "HTTP") in {"HTTPS", "TLS", "TCP", "UDP", "TCP_UDP", "GENEVE"}
	not _redirects_to_https(r)
	not suppressed("ZNALB5", r)
	msg := format_finding("ZNALB5", r, "an HTTP listener forwards traffic", "use HTTPS, or make every default action a redirect to HTTPS")
}

_https_redirect(action) if {
	redirect := block(action.redirect)
	redirect.protocol == "HTTPS"
}

_redirects_to_https(r) if {
	actions := as_list(r.values.default_action)
	count(actions) > 0
	every a in actions {
		a.type == "redirect"
		_https_redirect(a)
	}
}

# ssl_policy: AWS default ELBSecurityPolicy-2016-08 (TLS 1.0+).
deny contains msg if {
	some r in _listeners
	attr(r, "protocol", "HTTP") in {"HTTPS", "TLS"}
	policy := attr(r, "ssl_policy", "ELBSecurityPolicy-2016-08")
	is_string(policy)
	not unknown(policy)
	not _modern_tls(policy)
	not suppressed("ZNALB6", r)
	msg := format_finding("ZNALB6", r, sprintf("ssl_policy %s allows TLS < 1.2", [policy]), "use ELBSecurityPolicy-TLS13-1-2-2021-06")
}

_modern_tls(policy) if {
	some prefix in ["ELBSecurityPolicy-TLS13-1-2-", "ELBSecurityPolicy-TLS13-1-3-", "ELBSecurityPolicy-FS-1-2-", "ELBSecurityPolicy-TLS-1-2-"]
	startswith(policy, prefix)
}

deny contains msg if {
	some t in ["aws_lb_target_group", "aws_alb_target_group"]
	some r in of_type(t)
	attr(r, "protocol", "") == "HTTP"
	attr(r, "target_type", "instance") != "lambda"
	not suppressed("ZNALB7", r)
	msg := format_finding("ZNALB7", r, "targets are reached over plain HTTP", "use protocol HTTPS, or suppress where TLS ends at the load balancer")
}
