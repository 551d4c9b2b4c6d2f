import { VIRTUAL_CLOCK_STREAM } from '#events';
import { lineAccess } from '../queries/access.js';
import { whyCannot } from '../queries/diagnostics.js';
import { auditProjection } from './audit.projection.js';
import { clockProjection, virtualClockTime } from './clock.projection.js';
import type { ProjectedEvent } from './catalogue.js';
import { T, AT, by, policy, delegation, project, placed } from './projections.fixture.js';

describe('virtual clock', () => {
  const advanced = (from: number, to: number): [string, ProjectedEvent] => [
    VIRTUAL_CLOCK_STREAM,
    { type: 'VirtualClockAdvanced', data: { from: T(from), to: T(to) } },
  ];

  it('R21: records where the virtual clock was last advanced to, with no line or account event after it', () => {
    expect(virtualClockTime(project(placed))).toBeUndefined();
    const readModels = project(advanced(0, 5), placed, advanced(10, 3600));
    expect(virtualClockTime(readModels)).toBe(T(3600));
    expect([...readModels.state(clockProjection).clocks]).toEqual([
      [VIRTUAL_CLOCK_STREAM, { time: T(3600) }],
    ]);
    // Every other read model passes the clock by.
    expect(readModels.state(auditProjection).trails.size).toBe(1);
  });
});

describe('delegation roster', () => {
  it('R7: keeps delegation ids per account, so two accounts may both have a d1', () => {
    const other = 'account-other';
    const readModels = project(
      [
        other,
        {
          type: 'AccountCreated',
          data: { ...by, accountId: 'other', name: 'Other', admins: ['admin'], policy },
        },
      ],
      [
        other,
        {
          type: 'DelegateInvited',
          data: { ...delegation, permissions: ['answerCalls'], sharedLines: ['1001'] },
        },
      ],
    );
    expect(lineAccess(readModels, 'acme', '1001', 'bob')).toMatchObject({ allowed: true, role: 'delegate' });
    expect(whyCannot(readModels, 'acme', '1001', 'bob', 'answer', AT).answer).toBe(
      'Bob can answer calls on line +1001.',
    );
  });
});
