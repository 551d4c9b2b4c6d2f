/**
 * The Assistant panel's rendering: pure functions from read-model JSON to HTML strings. This module is
 * compiled with the build and served to the browser as is (`/panel/render.js`), so it imports types only
 * and touches no DOM: the same code runs in the unit specs and in the page.
 */
import type { DelegationRow, HistoryEntry, LampState, MissedCallEntry, VoicemailMessage } from '#read-models';

/** A line the viewer can use, as `GET /panel/lines` lists it (label per R11). */
export interface PanelLine {
  readonly accountId: string;
  readonly number: string;
  readonly label: string;
  readonly role: 'delegator' | 'delegate';
}

/** One event of `/lines/:accountId/:number/stream` (and the body of `/state`). */
export interface LineView {
  readonly line: { readonly accountId: string; readonly number: string; readonly label: string };
  readonly viewerRole: string;
  readonly lamp: LampState;
}

export interface VoicemailView {
  readonly unread: number;
  readonly messages: readonly VoicemailMessage[];
  readonly missedCalls: readonly MissedCallEntry[];
}

export type RosterRow = DelegationRow & {
  readonly delegatorName: string | null;
  readonly delegateName: string | null;
};

/** Party names and caller ids come from users: every value goes through here before it reaches HTML. */
export const escapeHtml = (value: unknown): string =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** Read models answer a party's id when it has no name (yet); the id is what people then recognise. */
const names = (ids: readonly string[], resolved: readonly (string | null)[]): string =>
  ids.map((id, i) => escapeHtml(resolved[i] ?? id)).join(', ');

export const renderLamp = (lamp: LampState): string => {
  switch (lamp.state) {
    case 'idle':
      return '<span class="lamp idle" data-lamp="idle">Idle</span>';
    case 'ringing':
      return (
        `<span class="lamp ringing" data-lamp="ringing">Ringing</span> from ${escapeHtml(lamp.from)}` +
        ` · alerting ${names(lamp.alerted, lamp.alertedNames)}` +
        (lamp.youAreAlerted ? ' <strong>(you)</strong>' : '')
      );
    case 'busy':
      return (
        `<span class="lamp busy" data-lamp="busy">Busy</span> by ${names(lamp.by, lamp.byNames)}` +
        (lamp.onBehalfOf ? ` on behalf of ${escapeHtml(lamp.onBehalfOfName ?? lamp.onBehalfOf)}` : '') +
        (lamp.phase === 'dialing' ? ' (dialing)' : '') +
        (lamp.transferringTo ? ` · transferring to ${escapeHtml(lamp.transferringTo)}` : '') +
        (lamp.locked ? ' · <span class="locked">locked</span>' : '')
      );
    case 'held':
      return (
        `<span class="lamp held" data-lamp="held">Held</span> by ${escapeHtml(lamp.heldByName ?? lamp.heldBy)}` +
        (lamp.onBehalfOf ? ` on behalf of ${escapeHtml(lamp.onBehalfOf)}` : '') +
        (lamp.locked ? ' · <span class="locked">locked</span>' : '')
      );
  }
};

/** The line's header: its R11 label (own number, or "Delegator · number") and its live lamp. */
export const renderLine = (view: LineView): string =>
  `<h2>${escapeHtml(view.line.label)}</h2><p class="state">${renderLamp(view.lamp)}</p>`;

/** A line that stopped answering its viewer: the delegation ended or stopped sharing it (R17). */
export const renderLineGone = (label: string): string =>
  `<h2>${escapeHtml(label)}</h2><p class="state">No longer shared with you</p>`;

export const renderVoicemail = (inbox: VoicemailView): string => {
  const messages = inbox.messages.map(
    (m) =>
      `<li class="${m.read ? 'read' : 'unread'}">${escapeHtml(m.at)} · from ${escapeHtml(m.from)}` +
      (m.read ? '' : ' <strong>new</strong>') +
      '</li>',
  );
  const missed = inbox.missedCalls.map(
    (c) =>
      `<li>${escapeHtml(c.receivedAt)} · missed call from ${escapeHtml(c.from)} (${escapeHtml(c.reason)})</li>`,
  );
  return (
    `<h3>Voicemail (${escapeHtml(inbox.unread)} unread)</h3>` +
    (messages.length ? `<ul>${messages.join('')}</ul>` : '<p class="empty">No messages</p>') +
    (missed.length ? `<h4>Missed calls</h4><ul>${missed.join('')}</ul>` : '')
  );
};

/** The shared history with its R17 labels (placed / answered / picked up / transferred by). */
export const renderHistory = (calls: readonly HistoryEntry[]): string => {
  const rows = calls.map(
    (c) =>
      `<li>${escapeHtml(c.startedAt)} · ${escapeHtml(c.direction)} ${escapeHtml(c.external)}` +
      ` · ${escapeHtml(c.result ?? c.status)}` +
      (c.labels.length
        ? `<ul class="labels">${c.labels.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
        : '') +
      '</li>',
  );
  return `<h3>History</h3>` + (rows.length ? `<ul>${rows.join('')}</ul>` : '<p class="empty">No calls</p>');
};

const delegation = (other: string, row: RosterRow): string =>
  `<li><strong>${escapeHtml(other)}</strong> · <span class="status ${escapeHtml(row.status)}">${escapeHtml(row.status)}</span>` +
  ` · permissions: ${row.permissions.length ? row.permissions.map(escapeHtml).join(', ') : 'none'}` +
  ` · lines: ${row.sharedLines.length ? row.sharedLines.map(escapeHtml).join(', ') : 'none'}</li>`;

/** The viewer's delegates (it is their delegator) and delegators (it is their delegate). */
export const renderRoster = (delegates: readonly RosterRow[], delegators: readonly RosterRow[]): string =>
  '<h2>Delegates</h2>' +
  (delegates.length
    ? `<ul>${delegates.map((d) => delegation(d.delegateName ?? d.delegateId, d)).join('')}</ul>`
    : '<p class="empty">None</p>') +
  '<h2>Delegators</h2>' +
  (delegators.length
    ? `<ul>${delegators.map((d) => delegation(d.delegatorName ?? d.delegatorId, d)).join('')}</ul>`
    : '<p class="empty">None</p>');
