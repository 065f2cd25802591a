// The package's entry point for cdktf apps: `import { WallarmConnector } from "wallarm-cloudfront-connector"`.
export { LambdaEdge, type LambdaEdgeProps } from "./lambda-edge";
export { IamTrust, type IamTrustProps, TRUSTED_SERVICES } from "./iam-trust";
export { DistributionAssociation, type DistributionAssociationProps, type DistributionProps } from "./distribution-association";
export { WallarmConnector, type WallarmConnectorProps, type LambdaFunctionAssociation } from "./wallarm-connector";
export { WallarmConnectorStack, type WallarmConnectorStackProps } from "./connector-stack";
export { TRIGGER_LIMITS } from "./trigger-limits";
export { handlerConfigFromProps, type HandlerSettingsProps } from "./handler-settings";
