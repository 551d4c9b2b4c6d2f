import { useState } from 'preact/hooks';
import type { Seat } from '../../projector/src/panel/seat-contract.js';
import { named, phone } from './format.js';
import { PageForm } from './page-form.js';
import { PhoneField } from './phone-field.js';
import { RefusalNote, type Shown } from './controls.js';

/**
 * The world outside the account, which a simulator has to play: an external number calls one of the
 * lines on the page, which then rings as R13 and R19 say (or goes to voicemail when busy, R14), on
 * every seat that shows it. Without it a call could only be placed, never answered, from the page.
 */
export function OutsideCaller(props: {
  seats: readonly Seat[];
  ring: (number: string, from: string) => void;
  refusal: Shown | undefined;
}) {
  const { seats, ring, refusal } = props;
  // Every line on the page once, named by its owner rather than by how one viewer sees it ("My number").
  const lines = [...new Map(seats.flatMap((seat) => seat.lines.map((line) => [line.number, line]))).values()];
  const [number, setNumber] = useState('');
  const [from, setFrom] = useState('');
  if (lines.length === 0) return null;
  const target = lines.find((line) => line.number === number) ?? lines[0]!;
  return (
    <PageForm
      class="outside-caller"
      label="An outside caller"
      refusal={refusal}
      send={() => ring(target.number, from.trim())}
    >
      <PhoneField label="An outside number" name="from" value={from} onChange={setFrom} />{' '}
      <label>
        calls{' '}
        <select value={target.number} onChange={(e) => setNumber((e.target as HTMLSelectElement).value)}>
          {lines.map((line) => (
            <option key={line.number} value={line.number}>
              {named(line.owner.name)} · {line.name ? `${named(line.name)} ` : ''}
              {phone(line.number)}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit">Ring</button>
      <RefusalNote refusal={refusal} />
    </PageForm>
  );
}
