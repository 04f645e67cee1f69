# VPCs, subnets and security group rules (rule IDs of lib/policy/rules/vpc).
package main

import rego.v1

deny contains msg if {
	some v in of_type("aws_vpc")
	not _has_flow_log(v)
	not suppressed("ZNVPC1", v)
	msg := format_finding("ZNVPC1", v, "the VPC has no flow log", "add aws_flow_log with vpc_id = this VPC")
}

_has_flow_log(v) if {
	some f in of_type("aws_flow_log")
	points_to(f, "vpc_id", v)
}

deny contains msg if {
	some r in of_type("aws_subnet")
	is_true(r.values.map_public_ip_on_launch)
	not suppressed("ZNVPC3", r)
	msg := format_finding("ZNVPC3", r, "the subnet assigns public IPs", "set map_public_ip_on_launch = false")
}

# Security group rules in one shape: standalone rules and inline blocks.
_sg_rules contains x if {
	some r in of_type("aws_security_group_rule")
	x := _sg_rule(r, r.values.type, r.values, array.concat(_strings(r.values, "cidr_blocks"), _strings(r.values, "ipv6_cidr_blocks")))
}

_sg_rules contains x if {
	some r in of_type("aws_security_group")
	some direction in ["ingress", "egress"]
	some b in as_list(object.get(r.values, direction, []))
	x := _sg_rule(r, direction, b, array.concat(_strings(b, "cidr_blocks"), _strings(b, "ipv6_cidr_blocks")))
}

_sg_rules contains x if {
	some t in ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]
	some r in of_type(t)
	direction := trim_suffix(trim_prefix(t, "aws_vpc_security_group_"), "_rule")
	x := _sg_rule(r, direction, object.union(r.values, {"protocol": object.get(r.values, "ip_protocol", "")}), array.concat(_strings(r.values, "cidr_ipv4"), _strings(r.values, "cidr_ipv6")))
}

_sg_rule(r, direction, v, cidrs) := {
	"r": r,
	"direction": direction,
	"protocol": sprintf("%v", [object.get(v, "protocol", "")]),
	"from": object.get(v, "from_port", -1),
	"to": object.get(v, "to_port", -1),
	"cidrs": cidrs,
}

_strings(obj, key) := [s | some s in as_list(object.get(obj, key, [])); is_string(s)]

_anywhere(x) if {
	some c in x.cidrs
	c in {"0.0.0.0/0", "::/0"}
}

_all_traffic(x) if x.protocol in {"-1", "all"}

_all_traffic(x) if {
	is_number(x.from)
	is_number(x.to)
	x.from <= 0
	x.to >= 65535
}

_admin_port(x) if {
	x.protocol in {"tcp", "6"}
	some port in [22, 3389]
	x.from <= port
	port <= x.to
}

deny contains msg if {
	some x in _sg_rules
	x.direction == "ingress"
	_anywhere(x)
	not suppressed("ZNVPC5", x.r)
	msg := format_finding("ZNVPC5", x.r, sprintf("ingress %s/%v-%v from the internet", [x.protocol, x.from, x.to]), "restrict the source, or suppress on an intentionally public endpoint")
}

deny contains msg if {
	some x in _sg_rules
	x.direction == "egress"
	_anywhere(x)
	not suppressed("ZNVPC6", x.r)
	msg := format_finding("ZNVPC6", x.r, sprintf("egress %s/%v-%v to the internet", [x.protocol, x.from, x.to]), "restrict the destination, or suppress with the reason")
}

deny contains msg if {
	some x in _sg_rules
	_anywhere(x)
	_all_traffic(x)
	msg := format_finding("ZNVPC7", x.r, "all ports are open to or from the internet", "open only the ports the service uses")
}

deny contains msg if {
	some x in _sg_rules
	x.direction == "ingress"
	_anywhere(x)
	_admin_port(x)
	msg := format_finding("ZNVPC7", x.r, "SSH/RDP is open to the internet", "open only the ports the service uses")
}
