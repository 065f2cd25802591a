// The cdktf app behind `cdktf synth` / `cdktf deploy`: one example root stack built from the
// constructs in modules/. (`npm run generate` writes the Terraform modules; this does not.)
import { App } from "./modules/library/cdktf";
import { WallarmConnectorStack } from "./modules/library/connector-stack";

const app = new App();
new WallarmConnectorStack(app, "wallarm-connector", {
  wallarmNodeUrl: process.env.WALLARM_NODE_URL ?? "https://wallarm-node.example.com",
  originDomainName: process.env.ORIGIN_DOMAIN_NAME ?? "api.example.com",
  mode: process.env.WALLARM_MODE === "async" ? "async" : "inline",
});
app.synth();
