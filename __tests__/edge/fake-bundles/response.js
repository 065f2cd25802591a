// A stand-in response bundle: marks the response with the event type and request id it saw.
exports.handler = async (event) => {
  const { config, response } = event.Records[0].cf;
  response.headers["x-response-function"] = [{ key: "X-Response-Function", value: `${config.eventType} ${config.requestId}` }];
  return response;
};
