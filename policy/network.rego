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

# map_public_ip_on_launch: AWS default false.
deny contains msg if {
	some r in of_type("aws_subnet")
	is_true(attr(r, "map_public_ip_on_launch", false))
	not suppressed("ZNVPC3", r)
	msg := format_finding("ZNVPC3", r, "the subnet assigns public IPs", "set map_public_ip_on_launch = false")
}

# Security group rules in one shape: standalone rules and inline blocks. A standalone rule's type
# is required by Terraform; anything but "egress" is read as ingress, as the TypeScript rules do.
_sg_rules contains x if {
	some r in of_type("aws_security_group_rule")
	direction := _direction(object.get(r.values, "type", "ingress"))
	x := _sg_rule(r, direction, r.values, array.concat(strings_of(r.values, "cidr_blocks"), strings_of(r.values, "ipv6_cidr_blocks")))
}

_direction(type) := "egress" if type == "egress"

_direction(type) := "ingress" if type != "egress"

_sg_rules contains x if {
	some r in of_type("aws_security_group")
	some direction in ["ingress", "egress"]
	some b in as_list(object.get(r.values, direction, []))
	is_object(b)
	x := _sg_rule(r, direction, b, array.concat(strings_of(b, "cidr_blocks"), strings_of(b, "ipv6_cidr_blocks")))
}

_sg_rules contains x if {
	some t in ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]
	some r in of_type(t)
	direction := trim_suffix(trim_prefix(t, "aws_vpc_security_group_"), "_rule")
	x := _sg_rule(r, direction, object.union(r.values, {"protocol": object.get(r.values, "ip_protocol", "")}), array.concat(strings_of(r.values, "cidr_ipv4"), strings_of(r.values, "cidr_ipv6")))
}

_sg_rule(r, direction, v, cidrs) := {
	"r": r,
	"direction": direction,
	"protocol": sprintf("%v", [object.get(v, "protocol", "")]),
	"from": _port(v, "from_port"),
	"to": _port(v, "to_port"),
	"cidrs": cidrs,
}

# A port as a number (numeric strings too); null when absent.
_port(v, key) := n if {
	n := as_number(object.get(v, key, null))
} else := null

# `v` when it is a number, else `fallback`.
_number_or(v, _) := v if is_number(v)

_number_or(v, fallback) := fallback if not is_number(v)

_anywhere(x) if {
	some c in x.cidrs
	c in {"0.0.0.0/0", "::/0"}
}

_all_traffic(x) if x.protocol in {"-1", "all"}

_all_traffic(x) if {
	_number_or(x.from, 0) <= 0
	_number_or(x.to, 0) >= 65535
}

_admin_port(x) if {
	x.protocol in {"tcp", "6"}
	some port in [22, 3389]
	_number_or(x.from, -1) <= port
	port <= _number_or(x.to, -1)
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
