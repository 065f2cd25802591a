// Out-of-band analysis on the viewer trigger: every request (cache hits too) is copied to the
// node, none is delayed or blocked.
import type { Construct } from "../../library/cdktf";
import { CACHING_OPTIMIZED } from "../../library/cloudfront-policies";
import { ExampleStack } from "./example-stack";

export class AsyncViewerExample extends ExampleStack {
  constructor(scope: Construct) {
    super(scope, "async-viewer", "Out-of-band (async) analysis on the viewer trigger");
    const v = this.variables({
      wallarm_node_url: { type: "string", description: "URL of your Wallarm filtering node (https)." },
      origin_domain_name: { type: "string", description: "Domain name of your site or API." },
    });
    this.connector({
      wallarm_node_url: v.wallarm_node_url,
      wallarm_mode: "async",
      trigger: "viewer",
      memory_size: 128,
      timeout: 5,
      node_timeout_ms: 1000,
      create_distribution: true,
      origin_domain_name: v.origin_domain_name,
      // Managed-CachingOptimized: viewer triggers run on cache hits too, so caching stays on.
      cache_policy_id: CACHING_OPTIMIZED,
    });
    this.outputs({
      distribution_domain_name: {
        description: "Domain name of the distribution.",
        value: "${module.wallarm_connector.distribution_domain_name}",
      },
    });
  }
}
