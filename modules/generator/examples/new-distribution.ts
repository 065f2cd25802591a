// Greenfield: a new CloudFront distribution in front of an API, every request inspected inline.
import type { Construct } from "../../library/cdktf";
import { ExampleStack } from "./example-stack";

export class NewDistributionExample extends ExampleStack {
  constructor(scope: Construct) {
    super(scope, "new-distribution", "A new CloudFront distribution with the Wallarm connector");
    const v = this.variables({
      wallarm_node_url: { type: "string", description: "URL of your Wallarm filtering node (https)." },
      origin_domain_name: { type: "string", description: "Domain name of your API, such as api.example.com." },
    });
    this.connector({
      wallarm_node_url: v.wallarm_node_url,
      wallarm_mode: "inline",
      trigger: "origin",
      create_distribution: true,
      origin_domain_name: v.origin_domain_name,
      tags: { Project: "wallarm-connector-example" },
    });
    this.outputs({
      distribution_domain_name: {
        description: "Send requests here: https://<this>/.",
        value: "${module.wallarm_connector.distribution_domain_name}",
      },
      request_function_qualified_arn: {
        description: "The published request function version in use.",
        value: "${module.wallarm_connector.request_function_qualified_arn}",
      },
    });
  }
}
