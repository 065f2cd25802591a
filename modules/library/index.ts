// The package's entry point for cdktf apps: `import { WallarmConnector } from "wallarm-cloudfront-connector"`.
export { LambdaEdge, type LambdaEdgeProps, type FunctionRole, type HandlerConfigSettings, type Setting } from "./lambda-edge";
export { IamTrust, type IamTrustProps, TRUSTED_SERVICES } from "./iam-trust";
export {
  DistributionAssociation,
  type DistributionAssociationProps,
  type DistributionProps,
  type AccessLogging,
} from "./distribution-association";
export { WallarmConnector, type WallarmConnectorProps, type LambdaFunctionAssociation } from "./wallarm-connector";
export { WallarmConnectorStack, type WallarmConnectorStackProps } from "./connector-stack";
export { TRIGGER_LIMITS, type TriggerLimits } from "./trigger-limits";
export { handlerConfigFromProps, type HandlerSettingsProps } from "./handler-settings";
export type { HandlerConfig } from "../../handlers/config";
