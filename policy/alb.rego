# Load balancers, listeners, target groups (rule IDs of lib/policy/rules/alb).
package main

import rego.v1

_albs contains r if {
	some t in ["aws_lb", "aws_alb"]
	some r in of_type(t)
	object.get(r.values, "load_balancer_type", "application") == "application"
}

_listeners contains r if {
	some t in ["aws_lb_listener", "aws_alb_listener"]
	some r in of_type(t)
}

deny contains msg if {
	some r in _albs
	not is_true(r.values.drop_invalid_header_fields)
	not suppressed("ZNALB1", r)
	msg := format_finding("ZNALB1", r, "invalid header fields are forwarded", "set drop_invalid_header_fields = true")
}

deny contains msg if {
	some r in _albs
	not _access_logs_on(r)
	not suppressed("ZNALB2", r)
	msg := format_finding("ZNALB2", r, "access logs are not enabled", "set access_logs { bucket, enabled = true }")
}

_access_logs_on(r) if {
	logs := block(r.values.access_logs)
	is_true(logs.enabled)
}

deny contains msg if {
	some r in _albs
	not is_true(r.values.internal)
	not suppressed("ZNALB4", r)
	msg := format_finding("ZNALB4", r, "the load balancer is internet-facing", "set internal = true, or suppress with the reason it must be public")
}

deny contains msg if {
	some r in _listeners
	object.get(r.values, "protocol", "HTTP") == "HTTP"
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

deny contains msg if {
	some r in _listeners
	r.values.protocol in {"HTTPS", "TLS"}
	policy := object.get(r.values, "ssl_policy", "ELBSecurityPolicy-2016-08")
	is_string(policy)
	not contains(policy, "${")
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
	r.values.protocol == "HTTP"
	object.get(r.values, "target_type", "instance") != "lambda"
	not suppressed("ZNALB7", r)
	msg := format_finding("ZNALB7", r, "targets are reached over plain HTTP", "use protocol HTTPS, or suppress where TLS ends at the load balancer")
}
