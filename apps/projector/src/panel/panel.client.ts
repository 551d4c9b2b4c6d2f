/**
 * The Assistant panel in the browser: lists the viewer's lines, keeps each lamp live from the line's SSE
 * stream, and refreshes that line's voicemail and history whenever the stream reports a change. All
 * markup comes from `render.js`, which escapes every value.
 */
import {
  escapeHtml,
  renderHistory,
  renderLine,
  renderLineGone,
  renderRoster,
  renderVoicemail,
  type LineView,
  type PanelLine,
  type RosterRow,
  type VoicemailView,
} from './render.js';
import type { HistoryEntry } from '#read-models';

// The project compiles without the DOM library (it is a Node project): these are the few browser APIs
// this module uses, declared for this module only.
interface PanelElement {
  innerHTML: string;
  className: string;
  appendChild(child: PanelElement): PanelElement;
  querySelector(selector: string): PanelElement | null;
}
declare const document: {
  getElementById(id: string): PanelElement | null;
  createElement(tag: string): PanelElement;
};
declare const location: { readonly search: string };
declare class EventSource {
  static readonly CLOSED: number;
  constructor(url: string);
  readonly readyState: number;
  onerror: (() => void) | null;
  addEventListener(type: string, listener: (event: { readonly data: string }) => void): void;
}

const params = new URLSearchParams(location.search);
const account = params.get('account') ?? '';
const viewer = params.get('viewer') ?? '';
const query = `viewer=${encodeURIComponent(viewer)}`;

const getJson = async <T>(path: string): Promise<T> => {
  const response = await fetch(path);
  const body = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(body.message ?? `${path} answered ${response.status}`);
  return body;
};

const byId = (id: string): PanelElement => document.getElementById(id)!;
const part = (section: PanelElement, selector: string): PanelElement => section.querySelector(selector)!;
const showError = (target: PanelElement, error: unknown): void => {
  target.innerHTML = `<p class="error">${escapeHtml(error instanceof Error ? error.message : error)}</p>`;
};

const showLine = (line: PanelLine): void => {
  const section = document.createElement('section');
  section.className = 'line';
  section.innerHTML =
    `<div class="header"><h2>${escapeHtml(line.label)}</h2><p class="state">Connecting…</p></div>` +
    '<div class="voicemail"></div><div class="history"></div>';
  byId('lines').appendChild(section);
  const header = part(section, '.header');
  const voicemail = part(section, '.voicemail');
  const history = part(section, '.history');
  const base = `/lines/${encodeURIComponent(account)}/${encodeURIComponent(line.number)}`;
  const refresh = (): void => {
    getJson<VoicemailView>(`${base}/voicemail?${query}`).then(
      (inbox) => (voicemail.innerHTML = renderVoicemail(inbox)),
      (error: unknown) => showError(voicemail, error),
    );
    getJson<{ calls: HistoryEntry[] }>(`${base}/history?${query}`).then(
      ({ calls }) => (history.innerHTML = renderHistory(calls)),
      (error: unknown) => showError(history, error),
    );
  };
  const stream = new EventSource(`${base}/stream?${query}`);
  stream.addEventListener('lineState', (event) => {
    header.innerHTML = renderLine(JSON.parse(event.data) as LineView);
    refresh();
  });
  // The server ends the stream when the line stops being shared with the viewer (R17); the browser's
  // reconnection is then refused and the source closes, which is the moment to say so.
  stream.onerror = () => {
    if (stream.readyState === EventSource.CLOSED) header.innerHTML = renderLineGone(line.label);
  };
};

const start = async (): Promise<void> => {
  const accountPath = `/accounts/${encodeURIComponent(account)}`;
  try {
    const { viewer: me, lines } = await getJson<{
      viewer: { partyId: string; name: string | null };
      lines: PanelLine[];
    }>(`/panel/lines?account=${encodeURIComponent(account)}&${query}`);
    byId('viewer').innerHTML = `Viewing as <strong>${escapeHtml(me.name ?? me.partyId)}</strong>`;
    if (lines.length === 0) byId('lines').innerHTML = '<p class="empty">No lines</p>';
    lines.forEach(showLine);
  } catch (error) {
    showError(byId('lines'), error);
  }
  try {
    const roster = await getJson<{
      byDelegator: Record<string, RosterRow[]>;
      byDelegate: Record<string, RosterRow[]>;
    }>(`${accountPath}/roster`);
    byId('roster').innerHTML = renderRoster(
      (Object.hasOwn(roster.byDelegator, viewer) ? roster.byDelegator[viewer] : undefined) ?? [],
      (Object.hasOwn(roster.byDelegate, viewer) ? roster.byDelegate[viewer] : undefined) ?? [],
    );
  } catch (error) {
    showError(byId('roster'), error);
  }
};

void start();
