export * from './request-policy.js';
export * from './guard-requests.js';
export * from './openapi.js';
export * from './csv.js';
export * from './configuration.js';
export * from './logging.js';
export * from './reason-docs.js';
export * from './http-app.js';
