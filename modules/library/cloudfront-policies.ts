// IDs of the CloudFront managed policies the modules, examples and the cdktf stack use. They are
// the same in every AWS account:
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html

/** Managed-CachingDisabled: nothing cached, right for APIs. */
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
/** Managed-CachingOptimized: the default caching for static content. */
export const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/** Managed-AllViewerExceptHostHeader: every viewer header, query string and cookie but Host. */
export const ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
