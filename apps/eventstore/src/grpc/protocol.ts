// The client package ships its generated protobuf classes and gRPC service definitions as CommonJS;
// registering exactly those keeps the server's wire contract identical to the client's. The hot
// messages are encoded by `streams-codec.ts` instead; its specs check it against these classes.
import gossipGrpc from '@eventstore/db-client/generated/gossip_grpc_pb.js';
import gossipPb from '@eventstore/db-client/generated/gossip_pb.js';
import monitoringGrpc from '@eventstore/db-client/generated/monitoring_grpc_pb.js';
import operationsGrpc from '@eventstore/db-client/generated/operations_grpc_pb.js';
import persistentGrpc from '@eventstore/db-client/generated/persistent_grpc_pb.js';
import projectionsGrpc from '@eventstore/db-client/generated/projections_grpc_pb.js';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import usersGrpc from '@eventstore/db-client/generated/users_grpc_pb.js';
// BatchAppend errors carry a google.protobuf.Any; google-protobuf is the client's own dependency.
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';

export const {
  ReadReq,
  ReadResp,
  AppendReq,
  AppendResp,
  DeleteReq,
  DeleteResp,
  TombstoneReq,
  TombstoneResp,
  BatchAppendReq,
  BatchAppendResp,
} = streamsPb;
export const {
  AllStreamPosition,
  BadRequest,
  Empty,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion,
  StreamDeleted,
  MaximumAppendSizeExceeded,
  Timeout,
  Unknown,
} = sharedPb;
export const { Status } = statusPb;
export const { Any } = anyPb;
export const ProtobufEmpty = emptyPb.Empty;
export const { SupportedMethods, SupportedMethod } = serverFeaturesPb;
export const { StreamsService } = streamsGrpc;
export const { ServerFeaturesService } = serverFeaturesGrpc;
export const { ClusterInfo, MemberInfo, EndPoint } = gossipPb;
export const { GossipService } = gossipGrpc;
// Services the server leaves out: registered only to refuse their calls with a sentence (unimplemented.ts).
export const { PersistentSubscriptionsService } = persistentGrpc;
export const { ProjectionsService } = projectionsGrpc;
export const { UsersService } = usersGrpc;
export const { OperationsService } = operationsGrpc;
export const { MonitoringService } = monitoringGrpc;

export type ReadReqMessage = InstanceType<typeof ReadReq>;
export type AppendRespMessage = InstanceType<typeof AppendResp>;
export type DeleteReqMessage = InstanceType<typeof DeleteReq>;
export type DeleteRespMessage = InstanceType<typeof DeleteResp>;
export type TombstoneReqMessage = InstanceType<typeof TombstoneReq>;
export type TombstoneRespMessage = InstanceType<typeof TombstoneResp>;
export type BatchAppendReqMessage = InstanceType<typeof BatchAppendReq>;
export type BatchAppendRespMessage = InstanceType<typeof BatchAppendResp>;
export type ClusterInfoMessage = InstanceType<typeof ClusterInfo>;
