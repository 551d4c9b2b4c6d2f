import { useState } from 'preact/hooks';
import type { Seat } from '../../projector/src/panel/seat-contract.js';
import { linePath } from './api.js';
import { lineLabel, named } from './format.js';
import { PageForm } from './page-form.js';
import { PhoneField } from './phone-field.js';
import { type Act, RefusalNote, type Shown } from './controls.js';

/** R11: the viewer picks which line's caller ID the callee sees, then dials. */
export function Dialer({ seat, act, refusal }: { seat: Seat; act: Act; refusal: Shown | undefined }) {
  const [from, setFrom] = useState(seat.lines[0]!.number);
  const [to, setTo] = useState('');
  const line = seat.lines.find((l) => l.number === from) ?? seat.lines[0]!;
  return (
    <PageForm
      class="dialer"
      label="Place a call"
      refusal={refusal}
      send={() =>
        act('dialer', 'POST', `${linePath(seat.account.accountId, line.number)}/calls`, { to: to.trim() })
      }
    >
      <label>
        Call from{' '}
        <select value={line.number} onChange={(e) => setFrom((e.target as HTMLSelectElement).value)}>
          {seat.lines.map((l) => (
            <option key={l.number} value={l.number}>
              {lineLabel(l)}
            </option>
          ))}
        </select>
      </label>{' '}
      <PhoneField label="Number to call" name="to" value={to} onChange={setTo} />{' '}
      {line.availability.placeCall.allowed ? (
        <button type="submit">Call</button>
      ) : (
        <span class="unavailable">
          <button type="submit" disabled>
            Call
          </button>
          <span class="why">
            <code>{line.availability.placeCall.rule}</code> {named(line.availability.placeCall.sentence)}
          </span>
        </span>
      )}
      <RefusalNote refusal={refusal} />
    </PageForm>
  );
}
