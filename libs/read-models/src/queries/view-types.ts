/**
 * The shapes of what the read models answer that the web app reads too (through the projector's
 * panel contract, apps/projector/src/panel/seat-contract.ts). Types only, importing nothing: the
 * browser bundle takes them without any server code.
 */

export type LampState =
  | { readonly state: 'idle' }
  | {
      readonly state: 'ringing';
      readonly callId: string;
      readonly from: string;
      readonly since: string;
      readonly alerted: string[];
      readonly alertedNames: (string | null)[];
      readonly youAreAlerted: boolean;
    }
  | {
      readonly state: 'busy';
      readonly callId: string;
      readonly phase: 'dialing' | 'connected';
      readonly by: string[];
      readonly byNames: (string | null)[];
      readonly onBehalfOf: string | null;
      readonly onBehalfOfName: string | null;
      readonly since: string;
      readonly transferringTo: string | null;
      /** The transfer's target by name: a delegate seeing another's transfer may not transfer to it. */
      readonly transferringToName: string | null;
      /** The delegator locked the call (R15): delegates may not join or merge it. */
      readonly locked: boolean;
    }
  | {
      /**
       * Busy with a call of the number's previous owner (R10, R12): the line takes no call until it
       * ends, and whose call it is, who is on it and who calls are that owner's, not the viewer's.
       */
      readonly state: 'occupied';
      readonly since: string;
    }
  | {
      readonly state: 'held';
      readonly callId: string;
      readonly heldBy: string;
      readonly heldByName: string | null;
      readonly onBehalfOf: string | null;
      readonly locked: boolean;
      readonly since: string;
    };

/**
 * R22's BLF lamp of a key for an internal party: `busy` while that party is on a call on any line of
 * the account, or its own line is occupied by a call (placed, connected or held, as R12's busy lamp
 * has it); `idle` otherwise. A key for an external number has no presence to show.
 */
export type Presence = 'busy' | 'idle';

export type SpeedDialTarget =
  | {
      readonly kind: 'internal';
      readonly partyId: string;
      readonly partyName: string;
      /** R23: the name of the dialled line, when the number has one. */
      readonly lineName: string | null;
      readonly presence: Presence;
    }
  | { readonly kind: 'external' };
