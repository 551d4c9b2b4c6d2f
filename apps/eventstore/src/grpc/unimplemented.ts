import {
  status,
  type sendUnaryData,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

import { serviceError } from './errors.js';
import {
  MonitoringService,
  OperationsService,
  PersistentSubscriptionsService,
  ProjectionsService,
  UsersService,
} from './protocol.js';

/** EventStoreDB's client-facing gRPC services this server leaves out, by the feature a user knows them as. */
export const UNIMPLEMENTED_SERVICES: readonly (readonly [feature: string, definition: ServiceDefinition])[] =
  [
    ['persistent subscriptions', PersistentSubscriptionsService as unknown as ServiceDefinition],
    ['projections', ProjectionsService as unknown as ServiceDefinition],
    ['users', UsersService as unknown as ServiceDefinition],
    ['operations', OperationsService as unknown as ServiceDefinition],
    ['monitoring', MonitoringService as unknown as ServiceDefinition],
  ];

/** The sentence a call of a left-out service fails with, worded as the HTTP fallbacks' 501 is. */
export const notImplementedMessage = (feature: string, path: string): string =>
  `${feature} (${path}) not implemented by the embedded EventStoreDB-compatible server`;

/**
 * Every method of `definition` answering gRPC UNIMPLEMENTED at once, with a sentence that names the
 * feature. Unregistered, grpc-js answered UNIMPLEMENTED too, but only with the method's path, which
 * does not tell a user of the client that the server leaves the feature out on purpose.
 */
export function unimplementedService(
  feature: string,
  definition: ServiceDefinition,
): UntypedServiceImplementation {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => {
      const refusal = () => serviceError(status.UNIMPLEMENTED, notImplementedMessage(feature, method.path));
      const handler = method.responseStream
        ? (call: ServerWritableStream<unknown, unknown>) => call.emit('error', refusal())
        : (_call: unknown, callback: sendUnaryData<unknown>) => callback(refusal());
      return [name, handler];
    }),
  );
}
