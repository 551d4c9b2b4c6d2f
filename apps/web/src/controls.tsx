import type { Availability } from '../../projector/src/panel/seat-contract.js';
import { named } from './format.js';
import { SteadyButton } from './steady-button.js';

export type Method = 'POST' | 'PUT' | 'DELETE';

/**
 * Runs one api command for a part of the page (a line, the dialer, the roster) and shows its refusal
 * there; resolves with whether the api took it (false when refused, or not sent again: a double click).
 */
export type Act = (
  where: string,
  method: Method,
  path: string,
  body?: Record<string, unknown>,
) => Promise<boolean>;

export interface Shown {
  readonly code: string;
  readonly message: string;
  /** The fields of the form sent that a 400 names as invalid, by their api names. */
  readonly fields?: readonly string[];
}

export function RefusalNote({ refusal }: { refusal: Shown | undefined }) {
  if (!refusal) return null;
  return (
    <p class="refusal" role="alert" data-code={refusal.code}>
      <code>{refusal.code}</code> {named(refusal.message)}
    </p>
  );
}

/** A diagnosed action: enabled when R20 says the viewer can, else disabled with the rule's sentence. */
export function Diagnosed(props: { label: string; availability: Availability; onClick: () => void }) {
  const { label, availability, onClick } = props;
  if (availability.allowed) return <SteadyButton label={label} onClick={onClick} />;
  return <Unavailable label={label} availability={availability} />;
}

/** An action R20 says the viewer cannot take: its button disabled, the rule's sentence beside it. */
export function Unavailable({ label, availability }: { label: string; availability: Availability }) {
  return (
    <span class="unavailable">
      <button disabled title={availability.sentence}>
        {label}
      </button>
      <span class="why" data-rule={availability.rule ?? ''}>
        {availability.rule && <code>{availability.rule}</code>} {named(availability.sentence)}
      </span>
    </span>
  );
}

/**
 * A control of a group (a call the viewer is on, a message, a delegation), enabled when R20 says the api
 * takes it, else disabled with the diagnosis as its title; the reason itself is said once for the group
 * (`Reasons`), as several controls are often refused for one (a call still dialing is neither held,
 * recorded nor transferred).
 */
export function GroupedControl(props: {
  label: string;
  availability: Availability;
  onClick: () => void;
  /**
   * Why it is disabled besides, for a reason of the page's own (no transfer target chosen yet), in the
   * sentence its title says as R20's sentence is said; undefined: it is not.
   */
  disabledWhy?: string;
  /** The control's name for assistive technology, when the label alone would not say which it acts on. */
  ariaLabel?: string;
}) {
  const { label, availability, onClick, disabledWhy, ariaLabel } = props;
  return (
    <SteadyButton
      label={label}
      ariaLabel={ariaLabel}
      disabled={!availability.allowed || disabledWhy !== undefined}
      title={availability.allowed ? disabledWhy : availability.sentence}
      onClick={onClick}
    />
  );
}

/** The reasons R20 gives for the controls of a group that are refused, each said once, code first. */
export function Reasons({ refused }: { refused: readonly Availability[] }) {
  const reasons = new Map<string, Availability>();
  for (const availability of refused) {
    if (availability.allowed || availability.reason === undefined) continue;
    reasons.set(`${availability.code ?? ''} ${availability.reason}`, availability);
  }
  return (
    <>
      {[...reasons.values()].map((availability) => (
        <span
          key={`${availability.code ?? ''} ${availability.reason}`}
          class="why"
          data-code={availability.code ?? ''}
          data-rule={availability.rule ?? ''}
        >
          {availability.code && <code>{availability.code}</code>} {named(availability.reason ?? '')}
        </span>
      ))}
    </>
  );
}
