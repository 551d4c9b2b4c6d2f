import type { HistoryEntry, LampState } from '#read-models';
import {
  escapeHtml,
  renderHistory,
  renderLamp,
  renderLine,
  renderRoster,
  renderVoicemail,
  type RosterRow,
} from './render.js';

const HOSTILE = '<img src=x onerror="alert(1)">&\'';
const ESCAPED = '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;';

const history = (labels: string[], overrides: Partial<HistoryEntry> = {}): HistoryEntry => ({
  callId: 'c1',
  line: '15550001',
  direction: 'incoming',
  external: '+15559990000',
  vip: false,
  status: 'ended',
  result: 'answered',
  startedAt: '2026-01-05T09:00:00Z',
  answeredAt: '2026-01-05T09:00:05Z',
  endedAt: '2026-01-05T09:03:00Z',
  durationSeconds: 175,
  labels,
  placedBy: null,
  answeredBy: null,
  pickedUpBy: [],
  transferredBy: [],
  missedBy: [],
  voicemailMessageId: null,
  ...overrides,
});

const row = (overrides: Partial<RosterRow>): RosterRow => ({
  delegationId: 'd1',
  accountId: 'acme',
  delegatorId: 'alice',
  delegateId: 'bob',
  status: 'active',
  permissions: ['placeCalls', 'answerCalls'],
  sharedLines: ['+15550001'],
  optedIn: true,
  businessHours: null,
  invitedAt: '2026-01-05T09:00:00Z',
  statusSince: '2026-01-05T09:01:00Z',
  changes: [],
  delegatorName: 'Alice',
  delegateName: 'Bob',
  ...overrides,
});

describe('Assistant panel rendering', () => {
  describe('busy lamps', () => {
    it('idle', () => {
      expect(renderLamp({ state: 'idle' })).toBe('<span class="lamp idle" data-lamp="idle">Idle</span>');
    });

    it('ringing names the caller and every alerted party, and marks the viewer', () => {
      const lamp: LampState = {
        state: 'ringing',
        callId: 'c1',
        from: '+15559990000',
        since: '2026-01-05T09:00:00Z',
        alerted: ['alice', 'bob'],
        alertedNames: ['Alice', null],
        youAreAlerted: true,
      };
      expect(renderLamp(lamp)).toBe(
        '<span class="lamp ringing" data-lamp="ringing">Ringing</span> from +15559990000' +
          ' · alerting Alice, bob <strong>(you)</strong>',
      );
    });

    it('busy names who is on the call and on whose behalf', () => {
      const lamp: LampState = {
        state: 'busy',
        callId: 'c1',
        phase: 'connected',
        by: ['bob'],
        byNames: ['Bob'],
        onBehalfOf: 'alice',
        onBehalfOfName: 'Alice',
        since: '2026-01-05T09:00:00Z',
        transferringTo: null,
        locked: false,
      };
      expect(renderLamp(lamp)).toBe(
        '<span class="lamp busy" data-lamp="busy">Busy</span> by Bob on behalf of Alice',
      );
      expect(renderLamp({ ...lamp, locked: true })).toBe(
        '<span class="lamp busy" data-lamp="busy">Busy</span> by Bob on behalf of Alice · <span class="locked">locked</span>',
      );
      expect(renderLamp({ ...lamp, phase: 'dialing', onBehalfOf: null, transferringTo: 'carol' })).toBe(
        '<span class="lamp busy" data-lamp="busy">Busy</span> by Bob (dialing) · transferring to carol',
      );
    });

    it('held says by whom and whether the hold is locked', () => {
      const lamp: LampState = {
        state: 'held',
        callId: 'c1',
        heldBy: 'bob',
        heldByName: 'Bob',
        onBehalfOf: 'alice',
        locked: true,
        since: '2026-01-05T09:00:00Z',
      };
      expect(renderLamp(lamp)).toBe(
        '<span class="lamp held" data-lamp="held">Held</span> by Bob on behalf of alice' +
          ' · <span class="locked">locked</span>',
      );
      expect(renderLamp({ ...lamp, locked: false, onBehalfOf: null })).toBe(
        '<span class="lamp held" data-lamp="held">Held</span> by Bob',
      );
    });
  });

  describe('R11 line labels', () => {
    it('the delegator sees its own number, a delegate sees "Delegator · number"', () => {
      const line = (label: string) => ({
        line: { accountId: 'acme', number: '15550001', label },
        viewerRole: 'delegate',
        lamp: { state: 'idle' } as const,
      });
      expect(renderLine(line('My number 15550001'))).toContain('<h2>My number 15550001</h2>');
      expect(renderLine(line('Alice · 15550001'))).toContain('<h2>Alice · 15550001</h2>');
    });
  });

  describe('R17 history labels', () => {
    it('lists placed / answered / picked up / transferred by for each call', () => {
      const html = renderHistory([
        history([
          'answered by Bob on behalf of Alice',
          'picked up by Carol on behalf of Alice',
          'transferred by Carol to Dave on behalf of Alice',
        ]),
        history(['placed by Bob on behalf of Alice'], { callId: 'c2', direction: 'outgoing' }),
      ]);
      for (const label of [
        'placed by Bob on behalf of Alice',
        'answered by Bob on behalf of Alice',
        'picked up by Carol on behalf of Alice',
        'transferred by Carol to Dave on behalf of Alice',
      ]) {
        expect(html).toContain(`<li>${label}</li>`);
      }
      expect(renderHistory([])).toBe('<h3>History</h3><p class="empty">No calls</p>');
    });
  });

  describe('shared voicemail and roster', () => {
    it('counts unread messages and lists missed calls', () => {
      const html = renderVoicemail({
        unread: 1,
        messages: [
          {
            messageId: 'm1',
            line: '15550001',
            callId: 'c1',
            from: '+15559990000',
            at: '2026-01-05T09:01:00Z',
            read: false,
            readBy: [],
            deleted: null,
          },
        ],
        missedCalls: [
          {
            callId: 'c1',
            line: '15550001',
            from: '+15559990000',
            receivedAt: '2026-01-05T09:00:00Z',
            at: '2026-01-05T09:00:30Z',
            reason: 'noAnswer',
            missedBy: ['bob'],
          },
        ],
      });
      expect(html).toContain('<h3>Voicemail (1 unread)</h3>');
      expect(html).toContain(
        '<li class="unread">2026-01-05T09:01:00Z · from +15559990000 <strong>new</strong></li>',
      );
      expect(html).toContain('missed call from +15559990000 (noAnswer)');
    });

    it('shows delegates and delegators with status and permissions', () => {
      const html = renderRoster(
        [row({})],
        [row({ delegatorName: 'Erin', status: 'pending', permissions: [] })],
      );
      expect(html).toContain(
        '<strong>Bob</strong> · <span class="status active">active</span> · permissions: placeCalls, answerCalls',
      );
      expect(html).toContain(
        '<strong>Erin</strong> · <span class="status pending">pending</span> · permissions: none',
      );
    });
  });

  describe('escaping', () => {
    it('escapes every HTML metacharacter', () => {
      expect(escapeHtml(HOSTILE)).toBe(ESCAPED);
    });

    it('a hostile party name never reaches the page as markup', () => {
      const busy: LampState = {
        state: 'busy',
        callId: 'c1',
        phase: 'connected',
        by: ['bob'],
        byNames: [HOSTILE],
        onBehalfOf: 'alice',
        onBehalfOfName: HOSTILE,
        since: '2026-01-05T09:00:00Z',
        transferringTo: null,
        locked: false,
      };
      const rendered = [
        renderLamp(busy),
        renderLine({
          line: { accountId: 'acme', number: '1', label: `${HOSTILE} · 1` },
          viewerRole: 'delegate',
          lamp: busy,
        }),
        renderHistory([history([`answered by ${HOSTILE}`], { external: HOSTILE })]),
        renderRoster([row({ delegateName: HOSTILE })], [row({ delegatorName: HOSTILE })]),
      ];
      for (const html of rendered) {
        expect(html).not.toContain('<img');
        expect(html).toContain(ESCAPED);
      }
    });
  });
});
