import { useState } from 'preact/hooks';
import type { Seat, SeatSpeedDial, SeatSpeedDialList } from '../../projector/src/panel/seat-contract.js';
import { lineLabel, named, phone } from './format.js';
import { PageForm } from './page-form.js';
import { SteadyButton } from './steady-button.js';
import { type Act, RefusalNote, type Shown } from './controls.js';

const listPath = (seat: Seat, owner: string): string =>
  `accounts/${encodeURIComponent(seat.account.accountId)}/parties/${encodeURIComponent(owner)}/speed-dials`;

/**
 * R22: the viewer's speed-dial keys (and those of delegators that let it manage theirs). Pressing a
 * key places a call to its number on the line chosen above the keys, exactly as dialling it there
 * would (R11, R12: the line's refusal is shown as the dialer shows it). A key for an internal party
 * carries that party's BLF lamp, busy or idle, live with the seat.
 */
export function SpeedDials(props: { seat: Seat; act: Act; refusal: Shown | undefined }) {
  const { seat, act, refusal } = props;
  const [line, setLine] = useState(seat.lines[0]?.number ?? '');
  if (seat.speedDials.length === 0) return null;
  const from = seat.lines.find((l) => l.number === line) ?? seat.lines[0];
  return (
    <section class="speed-dials" aria-label="Speed dials">
      <h2>Speed dials</h2>
      {from && (
        <label>
          Call on line{' '}
          <select
            aria-label="Speed-dial line"
            value={from.number}
            onChange={(e) => setLine((e.target as HTMLSelectElement).value)}
          >
            {seat.lines.map((l) => (
              <option key={l.number} value={l.number}>
                {lineLabel(l)}
              </option>
            ))}
          </select>
        </label>
      )}
      {seat.speedDials.map((list) => (
        <SpeedDialList
          key={list.owner.partyId}
          seat={seat}
          list={list}
          line={from?.number}
          act={act}
          refusal={refusal}
        />
      ))}
      <RefusalNote refusal={refusal} />
    </section>
  );
}

function SpeedDialList(props: {
  seat: Seat;
  list: SeatSpeedDialList;
  line: string | undefined;
  act: Act;
  refusal: Shown | undefined;
}) {
  const { seat, list, line, act, refusal } = props;
  const own = list.owner.partyId === seat.viewer.partyId;
  const path = listPath(seat, list.owner.partyId);
  return (
    <div class="speed-dial-list" data-owner={list.owner.partyId}>
      <h3>
        {own ? 'My keys' : `${named(list.owner.name)}'s keys`}{' '}
        <small>
          · {list.entries.length} of {list.maxSpeedDials}
        </small>
      </h3>
      {list.entries.length === 0 && <p class="empty">No speed dials yet</p>}
      <ul class="keys">
        {list.entries.map((entry) => (
          <li key={entry.entryId}>
            <SpeedDialKey
              entry={entry}
              disabled={line === undefined}
              press={() =>
                line !== undefined &&
                act('speed-dials', 'POST', `${path}/${encodeURIComponent(entry.entryId)}/calls`, { line })
              }
            />
            <SteadyButton
              label="×"
              class="remove"
              ariaLabel={`Remove ${named(entry.label)}`}
              title="Remove this key"
              onClick={() => act('speed-dials', 'DELETE', `${path}/${encodeURIComponent(entry.entryId)}`)}
            />
          </li>
        ))}
      </ul>
      <AddKey list={list} path={path} act={act} refusal={refusal} />
    </div>
  );
}

function SpeedDialKey(props: { entry: SeatSpeedDial; disabled: boolean; press: () => void }) {
  const { entry, disabled, press } = props;
  const { target } = entry;
  const presence = target.kind === 'internal' ? target.presence : 'none';
  const who =
    target.kind === 'internal'
      ? `${named(target.partyName)}${target.lineName ? ` · ${named(target.lineName)}` : ''} · ${target.presence}`
      : 'external';
  return (
    // A key added or removed before it slides it along the row: it settles if it slid under the pointer.
    <SteadyButton
      label={`${entry.label} ${entry.number}`}
      class={`speed-dial blf-${presence}`}
      data={{ entry: entry.entryId, presence }}
      disabled={disabled}
      title={`Key ${entry.position}: call ${phone(entry.number)} (${who})`}
      onClick={press}
    >
      <span class="blf" aria-hidden="true" />
      {named(entry.label)} <small>{phone(entry.number)}</small>
      {target.kind === 'internal' && <span class="presence"> · {target.presence}</span>}
    </SteadyButton>
  );
}

/** Adds a key at the first free position, or the one given. */
function AddKey(props: { list: SeatSpeedDialList; path: string; act: Act; refusal: Shown | undefined }) {
  const { list, path, act, refusal } = props;
  const [label, setLabel] = useState('');
  const [number, setNumber] = useState('');
  const used = new Set(list.entries.map((e) => e.position));
  const free = Array.from({ length: list.maxSpeedDials }, (_, i) => i + 1).find((p) => !used.has(p));
  if (free === undefined) return null;
  return (
    <PageForm
      class="add-key"
      label={`Add a speed dial for ${named(list.owner.name)}`}
      refusal={refusal}
      send={() => {
        void act('speed-dials', 'POST', path, {
          // Entry ids are the owner's: a readable one from the label, made unique by the position.
          entryId: `${
            label
              .trim()
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-')
              .replace(/^-+|-+$/g, '')
              .slice(0, 40) || 'key'
          }-${free}`,
          label: label.trim(),
          number: number.trim(),
          position: free,
        }).then((added) => {
          // A refused key keeps what was typed, to be corrected where the refusal says.
          if (added) {
            setLabel('');
            setNumber('');
          }
        });
      }}
    >
      <input
        aria-label="Label"
        name="label"
        required
        placeholder="Label"
        value={label}
        onInput={(e) => setLabel((e.target as HTMLInputElement).value)}
      />{' '}
      <input
        aria-label="Number"
        name="number"
        type="tel"
        required
        placeholder="+15550100"
        value={number}
        onInput={(e) => setNumber((e.target as HTMLInputElement).value)}
      />{' '}
      <button type="submit">Add key {free}</button>
    </PageForm>
  );
}
