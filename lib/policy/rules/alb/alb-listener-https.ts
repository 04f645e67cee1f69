import { block, blocks, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNALB5: listeners serve HTTPS, or only redirect HTTP to HTTPS. */
export const rule = defineRule({
  id: "ZNALB5",
  service: "alb",
  title: "Listeners use HTTPS or redirect HTTP to HTTPS",
  description: "A plain-HTTP listener that forwards traffic exposes sessions and credentials on the network.",
  severity: "high",
  resourceTypes: ["aws_lb_listener", "aws_alb_listener"],
  scanners: { checkov: ["CKV_AWS_2", "CKV2_AWS_20"], trivy: ["AWS-0054"] },
  fix: "Use protocol HTTPS with a certificate, or make every default action of the HTTP listener a redirect to HTTPS (HTTP_301).",
  check: ({ attributes: a }) => {
    const protocol = String(a.protocol ?? "HTTP");
    if (["HTTPS", "TLS"].includes(protocol) || ["TCP", "UDP", "TCP_UDP", "GENEVE"].includes(protocol)) return;
    const actions = blocks(a, "default_action");
    const redirects = actions.length > 0 && actions.every((x) => x.type === "redirect" && block(x, "redirect")?.protocol === "HTTPS");
    if (!redirects) return `protocol ${show(a.protocol)} with a default action other than a redirect to HTTPS`;
    return undefined;
  },
});
