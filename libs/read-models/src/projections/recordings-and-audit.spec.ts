import { auditProjection } from './audit.projection.js';
import { recordingsProjection } from './recordings.projection.js';
import { LINE, T, project, placed, incoming, ringingCall, sentToVoicemail } from './projections.fixture.js';

describe('recordings and audit trail', () => {
  it('R18: a recording is listed under the party who started it only', () => {
    const { byOwner, recordings } = project(
      placed,
      [LINE, { type: 'RecordingStarted', data: { callId: 'c1', recordingId: 'r1', by: 'bob', at: T(12) } }],
      [
        LINE,
        {
          type: 'RecordingStopped',
          data: { callId: 'c1', recordingId: 'r1', owner: 'bob', reason: 'stoppedByOwner', at: T(20) },
        },
      ],
    ).state(recordingsProjection);
    expect([...byOwner.keys()]).toEqual(['acme/bob']);
    expect(recordings.get('acme.1001/c1/r1')).toMatchObject({
      owner: 'bob',
      line: 'acme.1001',
      stoppedAt: T(20),
    });
  });

  it("keeps every event of a call, voicemail steps included, as revisions of the call's line stream", () => {
    const readModels = project(
      ...ringingCall('c1', 20),
      [LINE, { type: 'CallDeclined', data: { callId: 'c1', by: 'bob', onBehalfOf: 'alice', at: T(22) } }],
      sentToVoicemail('c1', 50),
      [
        LINE,
        {
          type: 'VoicemailLeft',
          data: { messageId: 'c1', callId: 'c1', from: '+15550199', at: T(60), owner: 'alice' },
        },
      ],
      incoming('c2', 70),
      [LINE, { type: 'VoicemailRead', data: { messageId: 'c1', by: 'bob', onBehalfOf: 'alice', at: T(80) } }],
    );
    expect([...readModels.state(auditProjection).trails]).toEqual([
      ['acme.1001/c1', [0, 1, 2, 3, 4, 6]],
      ['acme.1001/c2', [5]],
    ]);
  });
});
