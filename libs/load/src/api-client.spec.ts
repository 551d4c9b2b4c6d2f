import { ID_PATTERN } from '#events';
import { callCorrelationId, toRequest, type ApiCommand } from './api-client.js';

const onCall = { actor: 'bob', accountId: 'acme', line: '+15550100', callId: 'c1' } as const;

describe("a command's correlation: the flow it belongs to, sent as X-Correlation-Id", () => {
  it("gives every command on one call the call's correlation id, so its events share one $correlationId", () => {
    // Given the commands of one call flow
    const flow: ApiCommand[] = [
      { ...onCall, type: 'receiveIncomingCall', from: '+15550199' },
      { ...onCall, type: 'answerCall' },
      { ...onCall, type: 'transferCall', to: 'alice' },
      { ...onCall, type: 'hangUp' },
    ];
    // Then each is sent with the same header, naming the account, the line and the call
    expect(flow.map((command) => toRequest(command).headers)).toEqual(
      flow.map(() => ({ 'x-correlation-id': 'call-acme-15550100-c1' })),
    );
    // And another line's call of the same id is another flow
    expect(toRequest({ ...onCall, line: '+15550101', type: 'answerCall' }).headers).toEqual({
      'x-correlation-id': 'call-acme-15550101-c1',
    });
  });

  it('leaves commands outside a call to the api (their own command id), and takes an explicit one', () => {
    expect(
      toRequest({ actor: 'admin', type: 'createAccount', accountId: 'acme', name: 'Acme' }).headers,
    ).toEqual({});
    expect(toRequest({ ...onCall, type: 'answerCall', correlationId: 'scenario-7' }).headers).toEqual({
      'x-correlation-id': 'scenario-7',
    });
  });

  it("keeps a long call's correlation id within the api's id rule", () => {
    const long = callCorrelationId({ ...onCall, accountId: 'a'.repeat(60), callId: 'c'.repeat(60) });
    expect(long).toMatch(ID_PATTERN);
    expect(long.length).toBeLessThanOrEqual(64);
  });
});
