import type { BusinessHours, Permission, VipRouting } from '#events';
import type { Refusal } from '../shared/domain-error.js';

/**
 * What a decision on a shared line needs to know about the account, passed in with every command
 * (it is an input, not line state: delegations, permissions and settings live in the account's own
 * streams and change independently). `lineContextFor(account, number, now)` is the one mapping from
 * account state to this plain data; the line decider trusts it as the truth at `now`.
 */
export interface LineContext {
  /** When the command takes effect (ISO-8601): the clock's time, or the `at` it was sent for (R21). */
  readonly now: string;
  readonly line: {
    /** The shared direct number (R10): the delegator's number, shown as caller ID (R11). */
    readonly number: string;
    /** R23: the line's name, shown beside the number wherever the line is presented (R11). */
    readonly name: string | null;
    /** How long an incoming call rings before it goes to voicemail (R14); also a transfer's ring. */
    readonly ringTimeoutSeconds: number;
    /** When delegates without `overrideBusinessHours` are alerted (R13); `null` means always. */
    readonly businessHours: BusinessHours | null;
    /**
     * False for a number nobody owns any more (R10), decided only for the parties of a call still on
     * it: the delegator is a stand-in no actor matches, and anybody not on the call is refused
     * LINE_NOT_FOUND rather than told the line is someone's.
     */
    readonly owned: boolean;
  };
  readonly delegator: {
    readonly partyId: string;
    /** Shown with the shared number when a delegate calls or looks at the line (R11). */
    readonly name: string;
    /** Why the delegator cannot share this line (R2/R3), as the account side refuses it, or `null`. */
    readonly eligibility: Refusal | null;
    /** The Power Pack add-on (R5): without it there is no VIP routing and no VIP caller. */
    readonly powerPack: boolean;
  };
  /** Every delegate this line is shared with, active or not (inactive ones explain R20's "why not"). */
  readonly delegates: readonly LineDelegate[];
  /** VIP delegation (R19); only takes effect with `delegator.powerPack`. */
  readonly vip: {
    /** Caller numbers on the VIP list, compared exactly as written (normalise before building). */
    readonly contacts: readonly string[];
    readonly routing: VipRouting;
  };
}

export interface LineDelegate {
  readonly partyId: string;
  readonly name: string;
  /** Accepted (or admin-activated) and not revoked (R7); pending and revoked delegations are false. */
  readonly active: boolean;
  readonly permissions: readonly Permission[];
  /** A delegate with `optInOut` may opt out of ringing (R13); everybody else is opted in. */
  readonly optedIn: boolean;
  /** The delegate's own hours, used instead of the line's with `overrideBusinessHours` (R13). */
  readonly businessHours: BusinessHours | null;
  /** Why this delegate cannot take part in delegation (R2/R3/R4), as the account side refuses it. */
  readonly eligibility: Refusal | null;
}
