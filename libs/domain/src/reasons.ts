import type { AccountCommand } from './account/account.commands.js';
import type { LineCommand } from './line/line.commands.js';

/**
 * The catalogue of reasons: every code an answer of Switchboard can carry, with the rule it is given
 * under, what kind of refusal it is (and so its HTTP status), when it is given and, for the domain's
 * refusals, the sentence a person reads. `DomainError` (built by `refuse`/`refusal` from a code, a
 * rule and the values of its sentence), the api's error filter, both apps' OpenAPI and the generated
 * docs/reason-codes.md read it; the tables of docs/rules.md are checked against it.
 *
 * To add a reason: one entry in the section of its rule in `REASONS`, with its sentence (or in
 * `EDGE_REASONS` when no rule gives it), then the command(s) that answer it in `COMMAND_REASONS`,
 * then `npm run docs:reasons` and a row in its rule's table of docs/rules.md.
 */

/** The SPEC rule a rejection enforces, e.g. 'R8'. */
export type RuleId = `R${number}`;

/**
 * 'conflict' (409) when the state of the world says no and may change (line busy, already answered),
 * 'unprocessable' (422) when the request can never succeed as asked until configuration changes,
 * 'not_found' (404) for unknown accounts, parties, lines, calls.
 */
export type RefusalKind = 'conflict' | 'unprocessable' | 'not_found';

export const STATUS_OF_KIND: Readonly<Record<RefusalKind, 404 | 409 | 422>> = {
  conflict: 409,
  unprocessable: 422,
  not_found: 404,
};

/**
 * What a person reads when a reason is given: one sentence, or, where a code has several causes, one
 * per case. `{name}` stands for a value the refusing site fills in (an id, a name, a number); the
 * words are all here, so the docs show what users read and no site writes its own.
 */
export type Sentence = string | Readonly<Record<string, string>>;

/** One reason: its kind, for each rule it is given under, when, and the sentence it is given with. */
export interface Reason<Says extends Sentence = Sentence> {
  readonly kind: RefusalKind;
  readonly under: Readonly<Partial<Record<RuleId, string>>>;
  readonly says: Says;
}

const reasonOf =
  (kind: RefusalKind) =>
  <const Says extends Sentence>(under: Reason['under'], says: Says): Reason<Says> => ({ kind, under, says });
const conflict = reasonOf('conflict');
const unprocessable = reasonOf('unprocessable');
const notFound = reasonOf('not_found');

/** The domain's refusals, by rule (a code given under several rules sits with its first). */
export const REASONS = {
  // ── R1 Accounts, parties and direct numbers ──────────────────────────────────────────────────
  ACCOUNT_ALREADY_EXISTS: conflict(
    { R1: 'creating an account whose id is taken' },
    'Account {account} already exists: choose another id.',
  ),
  ACCOUNT_NOT_FOUND: notFound(
    { R1: 'any command or query on an account that was never created' },
    'There is no such account: create it first.',
  ),
  PARTY_NOT_FOUND: notFound(
    { R1: 'a command names a party the account does not have' },
    'There is no party "{party}" in this account: provision it first.',
  ),
  PARTY_ALREADY_EXISTS: conflict(
    { R1: 'provisioning a party id that is taken' },
    '"{party}" is already taken in this account: choose another party id.',
  ),
  NO_DIRECT_NUMBER: unprocessable(
    { R1: 'a party without any direct number' },
    '{party} needs at least one direct number: assign one.',
  ),
  INVALID_NUMBER: unprocessable(
    {
      R1: 'a direct number that is not E.164',
      R19: 'a VIP contact number that is not E.164',
      R22: 'a speed-dial number that is not E.164 (the api answers 400 before the rule is asked)',
    },
    '"{number}" is not an E.164 number: write it as + and 7–15 digits.',
  ),
  DUPLICATE_NUMBER: unprocessable(
    { R1: 'the same number listed twice for one party' },
    'The direct numbers of {party} list a number twice: list each once.',
  ),
  NUMBER_ALREADY_ASSIGNED: conflict(
    { R1: "the number is already another party's direct number" },
    '{number} is already a direct number of {owner}: choose another number or remove it from {owner} first.',
  ),
  ADMIN_ONLY: unprocessable(
    {
      R1: 'someone who is not an admin provisions a party or changes its numbers',
      R2: 'someone who is not an admin changes a calling plan',
      R3: 'someone who is not an admin changes the account policy, or locks or unlocks a party',
      R4: 'someone who is not an admin enables or disables the Assistant',
      R5: 'someone who is not an admin assigns or removes the Power Pack',
      R22: 'someone who is not an admin changes `maxSpeedDials`',
    },
    'Only an admin of account {account} may {action}: ask an admin to do it.',
  ),

  // ── R2 A calling plan is needed ──────────────────────────────────────────────────────────────
  NO_CALLING_PLAN: unprocessable(
    {
      R2: 'the delegator or delegate has no calling plan (inviting, accepting, line actions)',
    },
    '{name} ({party}) has no calling plan: assign a metered, unlimited or pro plan to take part in delegation.',
  ),

  // ── R3 Delegation enabled, and admin locks ───────────────────────────────────────────────────
  DELEGATION_DISABLED_FOR_ACCOUNT: unprocessable(
    { R3: 'the account policy has delegation turned off' },
    'Call delegation is disabled for this account: an admin must enable it in the account policy.',
  ),
  DELEGATION_DISABLED_FOR_USER: unprocessable(
    {
      R3: 'the party has delegation turned off (the message says if it is also locked)',
    },
    {
      locked: 'Call delegation is disabled and locked for {party}: an admin must unlock and enable it.',
      unlocked: 'Call delegation is disabled for {party}: enable it for this user.',
    },
  ),
  DELEGATION_LOCKED: unprocessable(
    {
      R3: "changing a locked party's delegation setting or one of its delegations",
    },
    'An admin locked the delegation settings of {party}: ask an admin to unlock them first.',
  ),
  PENDING_INVITATION_BLOCKS_LOCK: conflict(
    { R3: 'locking a party that has a pending invitation' },
    'Invitation {delegation} ({delegator} → {delegate}) is pending: accept, decline or revoke it before locking {party}.',
  ),
  ACTOR_NOT_ALLOWED: unprocessable(
    {
      R3: 'someone other than the party or an admin turns its delegation on or off',
      R4: 'someone other than the user or an admin reports its desktop client',
      R7:
        'someone other than the delegator or an admin invites or manages; someone other than the invitee ' +
        "answers; someone other than the delegate changes the delegate's own settings (an admin answers and " +
        'sets them for a common-area phone)',
      R13: "someone other than the party or an admin sets a party's business hours",
      R14: 'someone other than the party or an admin changes its ring timeout',
      R19:
        'someone who is not the delegator, an admin or a delegate edits the VIP list; someone other than ' +
        'the delegator or an admin changes the routing',
      R22: 'someone who is neither the party, an admin nor a delegate of the party edits or presses its speed dials',
      R23: 'someone other than the party or an admin names its line',
    },
    {
      selfOrAdmin: 'Only {party} or an admin may {action}.',
      invitee: 'Only the invitee {party} may {answer} invitation {delegation}.',
      commonAreaInvitee:
        'Only an admin may {answer} invitation {delegation} for the common-area phone {party}.',
      delegate: 'Only the delegate {delegate} may do this on delegation {delegation}.',
      commonAreaDelegate:
        'Only an admin may do this on delegation {delegation} for the common-area phone {delegate}.',
      vipListEditor:
        'Only {delegator}, an admin or a delegate of {delegator} with manageVipContacts may edit its VIP contacts.',
      speedDialEditor:
        '{actor} may not use or edit the speed dials of {owner}: only {owner}, an admin or a delegate of {owner} with manageSpeedDials may.',
    },
  ),

  // ── R4 The Assistant panel ───────────────────────────────────────────────────────────────────
  ASSISTANT_DISABLED: unprocessable(
    { R4: 'the Assistant is disabled for the user' },
    'The Assistant is disabled for {party}: an admin must enable it.',
  ),
  DESKTOP_CLIENT_MISSING: unprocessable(
    { R4: 'the user has reported no desktop client' },
    '{party} has no desktop client: install the Windows or macOS desktop app and sign in.',
  ),
  DESKTOP_CLIENT_UNSUPPORTED: unprocessable(
    { R4: 'the desktop client is not Windows or macOS' },
    '{party} uses the {platform} client, which has no Assistant panel: use the Windows or macOS desktop app.',
  ),
  DESKTOP_CLIENT_OUTDATED: unprocessable(
    {
      R4: "the desktop client is older than the account's minimum version",
    },
    '{party} runs desktop client {version}, older than the required {minimum}: update the desktop app.',
  ),
  NOT_A_PHONE_USER: unprocessable(
    {
      R4: 'the Assistant or a desktop client asked of a common-area phone, which has no desktop app',
    },
    {
      inPanel: '{party} is a common-area phone, which has no desktop client: an admin acts for it instead.',
      setting: '{party} is a common-area phone: the Assistant and desktop clients belong to phone users.',
    },
  ),
  INVALID_VERSION: unprocessable(
    {
      R4: 'a version that is not dotted numbers (desktop client, account minimum)',
    },
    '"{version}" is not a version: write it as dotted numbers, e.g. 6.2.1.',
  ),

  // ── R5 The Power Pack ────────────────────────────────────────────────────────────────────────
  POWER_PACK_REQUIRED: unprocessable(
    {
      R5:
        'granting VIP permissions, editing VIP contacts or routing, or premium common-area delegation, ' +
        'without the Power Pack',
    },
    {
      vip: 'VIP delegation needs the Power Pack add-on: assign it to {party} or drop the VIP feature.',
      commonArea:
        'This account treats delegation with a common-area phone as premium: assign the Power Pack to {party}.',
    },
  ),

  // ── R6 Permissions ───────────────────────────────────────────────────────────────────────────
  UNKNOWN_PERMISSION: unprocessable(
    { R6: 'a permission name that does not exist' },
    '"{permission}" is not a delegation permission.',
  ),
  NO_CORE_PERMISSION: unprocessable(
    { R6: 'none of `placeCalls`, `answerCalls`, `pickUpHeldCalls`' },
    'A delegation needs at least one of placeCalls, answerCalls or pickUpHeldCalls: choose one.',
  ),
  OPT_IN_OUT_NEEDS_ANSWER_CALLS: unprocessable(
    { R6: '`optInOut` without `answerCalls`' },
    'optInOut needs answerCalls: grant answerCalls or drop optInOut.',
  ),
  VIP_ONLY_NEEDS_ANSWER_CALLS: unprocessable(
    { R6: '`vipOnly` without `answerCalls`' },
    'vipOnly needs answerCalls: grant answerCalls or drop vipOnly.',
  ),
  PERMISSION_REQUIRED: unprocessable(
    {
      R6:
        'a delegate opts in or out, sets its own business hours, edits the VIP list or the ' +
        "delegator's speed dials without the permission",
      R12: 'a delegate without `placeCalls` places a call',
      R13: 'a delegate without `answerCalls` answers',
      R15: 'a delegate without `pickUpHeldCalls` picks up',
      R16: 'a delegate without `joinAndMerge` (or, as transfer target, `answerCalls`)',
    },
    {
      delegation:
        '{delegate} does not have the {permission} permission on delegation {delegation}: {delegator} or an admin must grant it.',
      line: '{delegate} needs the {permission} permission on line {line}; ask {delegator} to grant it.',
    },
  ),

  // ── R7 The invitation lifecycle ──────────────────────────────────────────────────────────────
  DELEGATION_NOT_FOUND: notFound(
    {
      R7: 'the delegation id is unknown, or the two parties have no live delegation',
    },
    {
      unknown: 'There is no delegation "{delegation}" in this account.',
      between: '{delegate} is not a delegate of {delegator}: {delegator} or an admin must invite it.',
    },
  ),
  DELEGATION_ID_TAKEN: conflict(
    { R7: 'inviting with a delegation id that is already used' },
    'Delegation id {delegation} is already used: choose another.',
  ),
  INVITATION_NOT_PENDING: conflict(
    {
      R7: 'accepting or declining an invitation that is no longer pending',
    },
    {
      accepted: 'Invitation {delegation} was already accepted: nothing to answer.',
      ended: 'Invitation {delegation} was {status}: {delegator} must invite again.',
    },
  ),
  INVITATION_PENDING: conflict(
    {
      R7: 'a delegate edits the VIP list or speed dials under an invitation it has not accepted yet',
    },
    '{delegate} has not accepted the invitation {delegation} yet: accept it first.',
  ),
  DELEGATION_NOT_ACTIVE: conflict(
    {
      R7:
        'a delegate whose delegation is pending, revoked or declined opts in or out or sets its business ' +
        'hours; a delegate whose invitation is still pending acts on the shared line',
    },
    {
      delegation: 'Delegation {delegation} is {status}, not active: it must be accepted first.',
      ended:
        'Delegation {delegation} was {status}: it is over, and only a new invitation makes you a delegate again.',
      line: "{delegate}'s delegation for line {line} is not active; accept the invitation first.",
    },
  ),
  DELEGATION_ALREADY_ENDED: conflict(
    {
      R7: 'revoking or changing a delegation that was revoked or declined',
    },
    'Delegation {delegation} was {status}: invite {delegate} again instead.',
  ),

  // ── R8 Limits ────────────────────────────────────────────────────────────────────────────────
  DELEGATE_LIMIT_REACHED: conflict(
    {
      R8: 'inviting for a delegator that already has its maximum of delegates (pending or active); accepting, or activating by policy, an invitation of a delegator that already has its maximum of active delegates (the limit was lowered)',
    },
    {
      invite:
        '{delegator} already has {limit} delegates (pending or active), the account limit: revoke one or ask an admin to raise maxDelegatesPerDelegator.',
      activate:
        '{delegator} already has {limit} active delegates, the account limit since it was lowered: this invitation stays pending until one of them ends or an admin raises maxDelegatesPerDelegator.',
    },
  ),
  DELEGATOR_LIMIT_REACHED: conflict(
    {
      R8: 'inviting a delegate that already serves its maximum of delegators (pending or active); accepting, or activating by policy, an invitation of a delegate already active for its maximum of delegators (the limit was lowered)',
    },
    {
      invite:
        '{delegate} is already a delegate of {limit} delegators (pending or active), the account limit: end one of those delegations or ask an admin to raise maxDelegatorsPerDelegate.',
      activate:
        '{delegate} is already an active delegate of {limit} delegators, the account limit since it was lowered: this invitation stays pending until one of those delegations ends or an admin raises maxDelegatorsPerDelegate.',
    },
  ),
  INVALID_DELEGATION_LIMIT: unprocessable(
    { R8: 'a limit that is not a whole number of at least 1, or past what a JSON number holds exactly' },
    '{limit} must be a whole number from 1 to 9007199254740991.',
  ),

  // ── R9 No self-delegation, no duplicates ─────────────────────────────────────────────────────
  SELF_DELEGATION: unprocessable(
    { R9: 'delegator and delegate are the same party' },
    '{delegator} cannot delegate to itself: choose another delegate.',
  ),
  DELEGATION_ALREADY_EXISTS: conflict(
    { R9: 'the pair already has a pending or active delegation' },
    '{delegate} already has a {status} delegation {delegation} from {delegator}: change that one instead.',
  ),

  // ── R10 Shared lines ─────────────────────────────────────────────────────────────────────────
  NO_SHARED_LINE: unprocessable(
    { R10: 'inviting or changing shared lines with an empty list' },
    "Choose at least one of {delegator}'s direct numbers to share.",
  ),
  SHARED_LINE_NOT_OWNED: unprocessable(
    {
      R10: "sharing a number that is not the delegator's direct number",
    },
    '{line} is not a direct number of {delegator}: share only {owned}.',
  ),
  NUMBER_SHARED_BY_DELEGATION: conflict(
    {
      R10: 'removing a direct number that a live delegation still shares',
    },
    '{number} is shared with {delegate} by delegation {delegation}: stop sharing it first.',
  ),
  LINE_NOT_FOUND: notFound(
    {
      R10: 'a line command on a number no party of the account owns',
      R23: "naming a number that is not one of the party's direct numbers",
    },
    {
      unowned: 'No party of this account owns the number {line}; provision it as a direct number first.',
      onlyItsCall:
        'No party of this account owns the number {line} any more: only the parties on the call still on it may act on that call.',
      notOwn: '{line} is not a direct number of {party}: name one of its own numbers.',
    },
  ),
  LINE_NOT_SHARED: unprocessable(
    {
      R10: 'a party acts on a line that is neither its own nor shared with it',
    },
    'Line {line} is not shared with {party}; ask {delegator} to invite you as a delegate.',
  ),

  // ── R12 Placing calls; one call per line ─────────────────────────────────────────────────────
  LINE_BUSY: conflict(
    { R12: 'placing a call while another call is on the line' },
    {
      dialing:
        'Line {line} is busy with call {callId} (dialing, placed by {parties}); wait until it ends, or pick it up or join it if your permissions allow.',
      ringing:
        'Line {line} is busy with call {callId} (ringing for {parties}); wait until it ends, or pick it up or join it if your permissions allow.',
      connected:
        'Line {line} is busy with call {callId} (connected, {parties} on it); wait until it ends, or pick it up or join it if your permissions allow.',
      held: 'Line {line} is busy with call {callId} (on hold by {parties}); wait until it ends, or pick it up or join it if your permissions allow.',
      transferring:
        'Line {line} is busy with call {callId} (being transferred to {parties}); wait until it ends, or pick it up or join it if your permissions allow.',
      previousOwner:
        "Line {line} is busy with a call that started while it was another party's number; it takes no new call until that call ends.",
    },
  ),
  CALL_ID_IN_USE: conflict(
    { R12: 'placing or receiving a call with an id the line ever used' },
    {
      current: 'Call id {callId} is the call in progress on this line; a new call needs a new id.',
      earlier:
        'Call id {callId} was already used by an earlier call on this line; a call id names one call of a line for good, choose a new one.',
    },
  ),
  CALL_NOT_FOUND: notFound(
    {
      R12: 'hanging up, or the external party answering, a call the line never had',
      R13: "answering a call the line never had, or one of the number's previous owner",
      R14: "declining, or the caller hanging up, on a call the line never had, or declining one of the number's previous owner",
      R15: "holding, resuming, picking up or locking a call the line never had, or one of the number's previous owner that you are not on",
      R16: "transferring, joining or merging a call the line never had, or one of the number's previous owner",
      R18: 'recording a call the line never had',
    },
    {
      unknown: 'There is no call {callId} on this line.',
      noCallYet: 'No call has been on line {line} yet.',
      previousOwner:
        "Call {callId} started while {line} was another party's number: it is that party's call, not this line's.",
    },
  ),
  CALL_ENDED: conflict(
    {
      R12: 'hanging up, or the external party answering, a call that is already over',
      R13: 'answering a call that is over without having been answered',
      R14: 'declining a call that is already over',
      R15: 'holding, resuming, picking up or locking a call that is over',
      R16: 'transferring, joining or merging a call that is over',
      R18: 'recording on a call that is over',
    },
    {
      voicemail: 'Call {callId} is no longer on the line (sent to voicemail).',
      ended: 'Call {callId} is no longer on the line ({endedAs}).',
    },
  ),
  CALL_NOT_RINGING: conflict(
    {
      R12: 'the external party answers a call that is not dialling',
      R13: 'answering a call that is not ringing and was not answered',
      R14: 'declining a call that is not ringing',
    },
    {
      ringing: 'Call {callId} is {phase}, not ringing.',
      dialing: 'Call {callId} is {phase}, not dialing: its other end answers only a call still dialing it.',
    },
  ),
  NOT_ON_CALL: conflict(
    {
      R12: 'hanging up a call you are not on',
      R15: 'holding, or locking, a call you are not on',
      R16: 'transferring a call you are not on',
      R18: 'recording a call you are not on',
    },
    '{party} is not on call {callId}; only a party on the call can do that.',
  ),

  // ── R13 Who rings, and first answer wins ─────────────────────────────────────────────────────
  ALREADY_ANSWERED: conflict(
    {
      R13: 'answering a call someone else answered first (also just after it ended)',
    },
    'Call {callId} was already answered by {answeredBy}.',
  ),
  NOT_RINGING_FOR_YOU: conflict(
    {
      R13:
        'answering or declining a call that is not ringing for you; `details.reason` says why (a routing ' +
        'reason, or `DECLINED`, `NOT_ALERTED`)',
      R16:
        'someone other than the target answers or declines a transfer (`details.reason`: ' +
        '`TRANSFER_TARGET_ONLY`); its former target answers or declines it after the transfer was ' +
        'recalled, also once the call is over (`TRANSFER_RECALLED`, with `recalledAt`, `recalledFor`, `backTo`)',
    },
    {
      declined: 'Call {callId} is not ringing for you: you declined it.',
      notAlerted: 'Call {callId} is not ringing for you: you are not alerted yet.',
      routing: 'Call {callId} is not ringing for you: {routing}',
      transfer: 'Call {callId} is being transferred to {target}; only they can answer or decline it.',
      recalledTimeout:
        'Call {callId} is not ringing for you: its transfer to you was recalled at {recalledAt}, as you did not answer it in time, and went back to {backTo}.',
      recalledDeclined:
        'Call {callId} is not ringing for you: its transfer to you was recalled at {recalledAt}, as you declined it, and went back to {backTo}.',
      recalledNotAllowed:
        'Call {callId} is not ringing for you: its transfer to you was recalled at {recalledAt}, as you may no longer take it, and went back to {backTo}.',
      recalledTimeoutEnded:
        'Call {callId} is no longer on the line ({endedAs}); its transfer to you was recalled at {recalledAt}, as you did not answer it in time, and went back to {backTo}.',
      recalledDeclinedEnded:
        'Call {callId} is no longer on the line ({endedAs}); its transfer to you was recalled at {recalledAt}, as you declined it, and went back to {backTo}.',
      recalledNotAllowedEnded:
        'Call {callId} is no longer on the line ({endedAs}); its transfer to you was recalled at {recalledAt}, as you may no longer take it, and went back to {backTo}.',
    },
  ),
  INVALID_BUSINESS_HOURS: unprocessable(
    { R13: 'business hours that are not valid weekly windows' },
    'The business hours are not valid: {problem}.',
  ),

  // ── R14 Ring timeout and the shared voicemail ────────────────────────────────────────────────
  INVALID_RING_TIMEOUT: unprocessable(
    { R14: 'a ring timeout outside 5–300 whole seconds' },
    'The ring timeout must be a whole number of seconds from {min} to {max}.',
  ),

  // ── R15 Hold, resume, pick up, privacy lock ──────────────────────────────────────────────────
  CALL_NOT_CONNECTED: conflict(
    {
      R15: 'holding a call that is not connected',
      R16: 'transferring or joining a call that is not connected',
      R18: 'recording a call that is not connected',
    },
    'Call {callId} is {phase}, not connected; wait until it is answered or resumed.',
  ),
  CALL_NOT_HELD: conflict(
    {
      R15: 'resuming or picking up a call that is not on hold',
      R16: 'merging a call that is not on hold',
    },
    'Call {callId} is {phase}, not on hold.',
  ),
  NOT_HOLDER: conflict(
    { R15: 'resuming a call someone else put on hold (pick it up instead)' },
    'Only {holder}, who held call {callId}, can resume it; pick it up instead (delegates need pickUpHeldCalls).',
  ),
  CALL_HELD_BY_YOU: conflict(
    {
      R15: 'picking up a call you hold yourself (resume it instead)',
      R16: 'merging a call you hold yourself (resume it instead)',
    },
    'You hold call {callId}; resume it instead.',
  ),
  CALL_PRIVACY_LOCKED: conflict(
    { R15: 'a delegate picks up, joins or merges a call the delegator locked' },
    {
      pickUp:
        '{delegator} locked call {callId} for privacy: it cannot be picked up by a delegate until the delegator unlocks it.',
      join: '{delegator} locked call {callId} for privacy: it cannot be joined by a delegate until the delegator unlocks it.',
      merge:
        '{delegator} locked call {callId} for privacy: it cannot be merged by a delegate until the delegator unlocks it.',
    },
  ),
  PRIVACY_LOCK_DELEGATOR_ONLY: unprocessable(
    {
      R15: "a delegate locks or unlocks a call, or a party on a call of the number's previous owner who is not that owner",
    },
    'Only the delegator ({delegator}) can lock or unlock a call for privacy.',
  ),

  // ── R16 Transfer, join and merge ─────────────────────────────────────────────────────────────
  TRANSFER_TARGET_NOT_ALLOWED: unprocessable(
    {
      R16: 'the target is not one the transfer may go to (the message says why)',
    },
    {
      onCall: 'Cannot transfer call {callId} to {target}: they are already on the call.',
      delegateToDelegator:
        'Cannot transfer call {callId} to {target}: a delegate can transfer only to the delegator.',
      notShared:
        'Cannot transfer call {callId} to {target}: transfer to a delegate this line is shared with.',
      notActive: 'Cannot transfer call {callId} to {target}: their delegation is not active.',
      ineligible: 'Cannot transfer call {callId} to {target}: {eligibility}',
      noAnswerCalls: 'Cannot transfer call {callId} to {target}: they lack answerCalls; grant it first.',
    },
  ),
  ALREADY_ON_CALL: conflict(
    { R16: 'joining a call you are already on' },
    'You are already on call {callId}.',
  ),

  // ── R17 The shared inbox ─────────────────────────────────────────────────────────────────────
  VOICEMAIL_NOT_FOUND: notFound(
    {
      R17:
        'reading or deleting a message that is not in the inbox (never left, or deleted, or left ' +
        "while the number was another party's)",
    },
    {
      missing: "Voicemail {message} is not in this line's inbox (never left, or deleted).",
      previousOwner:
        "Voicemail {message} was left while {line} was another party's number: it stays in that party's inbox, not in this one.",
    },
  ),

  // ── R18 Recordings ───────────────────────────────────────────────────────────────────────────
  RECORDING_ALREADY_ACTIVE: conflict(
    {
      R18: 'starting a second recording of your own on the same call, or reusing a recording id',
    },
    {
      yours: 'You are already recording call {callId} ({recording}); stop it before starting another.',
      idTaken: 'Recording id {recording} is already in use on call {callId}; choose another id.',
    },
  ),
  RECORDING_NOT_FOUND: notFound(
    { R18: 'stopping a recording the call does not have' },
    'No recording {recording} is running on call {callId}.',
  ),
  RECORDING_NOT_OWNER: unprocessable(
    { R18: "stopping someone else's recording" },
    'Recording {recording} belongs to the party who started it; only that party can stop it.',
  ),

  // ── R19 VIP routing ──────────────────────────────────────────────────────────────────────────
  VIP_CONTACT_NOT_FOUND: notFound(
    { R19: 'removing a number that is not on the list' },
    '{number} is not a VIP contact of {delegator}: check the number.',
  ),
  INVALID_VIP_ROUTING: unprocessable(
    {
      R19: 'a mode other than `delegatorOnly` / `delegatorFirst`, or a delay outside 1–300 seconds',
    },
    {
      mode: 'VIP routing mode must be delegatorOnly or delegatorFirst.',
      delay: 'The delegatorFirst delay must be a whole number of seconds from 1 to {max}.',
    },
  ),

  // ── R22 Speed dials ──────────────────────────────────────────────────────────────────────────
  SPEED_DIAL_NOT_FOUND: notFound(
    {
      R22: 'relabelling, moving, removing or pressing a key the list does not have',
    },
    '{owner} has no speed dial "{entry}": check the entry id.',
  ),
  SPEED_DIAL_ID_TAKEN: conflict(
    { R22: 'adding a different key under an entry id the list already uses' },
    '{owner} already has a different speed dial "{entry}": choose another entry id, or relabel or move that one.',
  ),
  SPEED_DIAL_POSITION_TAKEN: conflict(
    { R22: 'adding or moving a key to a position another key holds' },
    'Key {position} of {owner} already holds speed dial "{entry}": choose a free key or move that one first.',
  ),
  SPEED_DIAL_POSITION_OUT_OF_RANGE: unprocessable(
    {
      R22: "a position beyond the account's `maxSpeedDials` (positions outside 1–100 are a 400 at the edge)",
    },
    "Key {position} does not exist: this account's speed-dial keys are 1 to {limit} (an admin may raise maxSpeedDials).",
  ),
  INVALID_SPEED_DIAL_LABEL: unprocessable(
    {
      R22: 'a blank label (nothing visible in it), one holding a control character or a text-direction override, or one over 40 characters (the api answers 400 before the rule is asked)',
    },
    'A speed-dial label must be 1 to {max} characters, one line of visible text.',
  ),
  INVALID_SPEED_DIAL_LIMIT: unprocessable(
    {
      R22: '`maxSpeedDials` that is not a whole number from 1 to 100',
    },
    'maxSpeedDials must be a whole number from 1 to {max}.',
  ),
  SPEED_DIAL_LIMIT_BELOW_USE: conflict(
    {
      R22: 'lowering `maxSpeedDials` below a key position some party uses',
    },
    '{owner} has speed dials beyond {limit} keys: remove or move them to keys 1–{limit} first.',
  ),

  // ── R23 Named shared lines ───────────────────────────────────────────────────────────────────
  INVALID_LINE_NAME: unprocessable(
    {
      R23: 'a blank name (nothing visible in it), one holding a control character or a text-direction override, or one over 40 characters (the api answers 400 before the rule is asked)',
    },
    'A line name must be 1 to {max} characters, one line of visible text (send null to clear it).',
  ),
  LINE_NAME_TAKEN: conflict(
    {
      R23: 'another line of the same party already has that name, as it reads (spaces around it and invisible characters aside)',
    },
    '{party} already calls {line} "{name}": give each line a name of its own, so delegates pick the right one.',
  ),

  // ── R21 The clock ────────────────────────────────────────────────────────────────────────────
  AT_REQUIRES_VIRTUAL_CLOCK: unprocessable(
    {
      R21: 'a command carries `at` while the clock is in realtime mode',
    },
    'A command may carry "at" only when the clock is virtual; drop "at" or start the api with CLOCK_MODE=virtual.',
  ),
  CLOCK_NOT_VIRTUAL: unprocessable(
    { R21: 'advancing the clock in realtime mode' },
    'The clock runs in realtime mode and follows the wall clock; start the api with CLOCK_MODE=virtual to move time.',
  ),
  CLOCK_CANNOT_GO_BACK: unprocessable(
    {
      R21: "an `at` or advance earlier than the clock's current time",
    },
    'The virtual clock is at {now} and cannot go back to {requested}; send a time at or after the current one.',
  ),
  INVALID_CLOCK_ADVANCE: unprocessable(
    { R21: '`POST /clock/advance` with both `to` and `bySeconds`' },
    'Give either "to" or "bySeconds", not both.',
  ),
  NO_PENDING_TIMER: conflict(
    {
      R21: '`POST /clock/advance-to-next-timer` while no timer is pending (nothing is appended)',
    },
    'No timer is pending (no call is ringing, escalating or being transferred); advance by a time instead.',
  ),
  INVALID_TIME: unprocessable(
    {
      R21: 'a time that is not ISO-8601, or a move of the virtual clock past 9999-12-31T23:59:59.999Z (the last time with a four-digit year)',
    },
    {
      notIso: '"{time}" is not an ISO-8601 time; send e.g. 2026-01-05T09:00:00Z.',
      pastLastTime:
        'The virtual clock cannot go past 9999-12-31T23:59:59.999Z, the last time the log writes with a four-digit year, to {time}; send an earlier time.',
    },
  ),
  TIMER_NOT_DUE: conflict(
    {
      R21: 'a timer fired before its due time (the timer process manager reschedules it)',
    },
    {
      ringTimeout: 'The ring timeout is due at {dueAt}, not at {at}.',
      vipEscalation: 'The VIP escalation is due at {dueAt}, not at {at}.',
      transferRecall: 'The transfer recall is due at {dueAt}, not at {at}.',
    },
  ),
} as const satisfies Readonly<Record<string, Reason>>;

export type ReasonCode = keyof typeof REASONS;

export const isReasonCode = (code: string): code is ReasonCode => Object.hasOwn(REASONS, code);

// ── Filling in a sentence ──────────────────────────────────────────────────────────────────────

/** The names of the `{placeholders}` of a template. */
type Placeholders<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

/** What a placeholder is filled with. */
export type SentenceValue = string | number;

/** Exactly the values a template names: a missing or an extra one does not compile. */
type Fill<Template extends string> = [Placeholders<Template>] extends [never]
  ? Readonly<Record<string, never>>
  : { readonly [Name in Placeholders<Template>]: SentenceValue };

/** For a code with several causes: which `case` it is, and the values of that case's template. */
type FillCase<Case extends string, Template extends string> = {
  readonly [Name in Placeholders<Template> | 'case']: Name extends 'case' ? Case : SentenceValue;
};

type FillSentence<Says> = Says extends string
  ? Fill<Says>
  : Says extends Readonly<Record<string, string>>
    ? { [Case in keyof Says & string]: FillCase<Case, Says[Case]> }[keyof Says & string]
    : never;

/** The values the sentence of `code` is filled with, e.g. `{ line, callId, case: 'connected', parties }`. */
export type SentenceParams<Code extends ReasonCode> = FillSentence<(typeof REASONS)[Code]['says']>;

/** The templates of a code, with the case each is for (none for a code with one sentence). */
export const templatesOf = (
  code: ReasonCode,
): readonly { readonly case?: string; readonly template: string }[] => {
  const says: Sentence = REASONS[code].says;
  return typeof says === 'string'
    ? [{ template: says }]
    : Object.entries(says).map(([which, template]) => ({ case: which, template }));
};

/** The sentence `code` is given with, filled in with `params`. */
export const sentenceOf = <Code extends ReasonCode>(code: Code, params: SentenceParams<Code>): string => {
  const values = new Map<string, unknown>(Object.entries(params));
  const says: Sentence = REASONS[code].says;
  const template =
    typeof says === 'string' ? says : new Map(Object.entries(says)).get(String(values.get('case')));
  if (template === undefined)
    throw new Error(`${code} has no sentence for case ${String(values.get('case'))}`);
  return fillIn(template, values);
};

const fillIn = (template: string, values: ReadonlyMap<string, unknown>): string =>
  template.replace(/\{(\w+)\}/g, (_placeholder, name: string) => String(values.get(name)));

export const kindOf = (code: ReasonCode): RefusalKind => REASONS[code].kind;

/** Whether `rule` is one the catalogue gives `code` under. */
export const isGivenUnder = (code: ReasonCode, rule: RuleId): boolean =>
  Object.hasOwn(REASONS[code].under, rule);

/** Which of the two apps answers an edge reason. */
export type App = 'api' | 'projector';

/** An answer no domain rule gives: malformed input, the request policy, the store, the read side. */
export interface EdgeReason {
  readonly status: number;
  readonly apps: readonly App[];
  readonly when: string;
  /** The rules it may name, when it names one. */
  readonly rules?: readonly RuleId[];
  /** The sentence it is given with, for the answers that are always worded alike. */
  readonly says?: string;
}

const edge = <const More extends Pick<EdgeReason, 'rules' | 'says'> = Record<never, never>>(
  status: number,
  apps: readonly App[],
  when: string,
  more?: More,
): EdgeReason & More => ({ status, apps, when, ...(more as More) });

/** Answers that name no rule (or, on the read side, name one without a decision behind them). */
export const EDGE_REASONS = {
  INVALID_REQUEST: edge(
    400,
    ['api', 'projector'],
    'malformed body, query or path; `errors` lists the messages per field (`body` for a body that is ' +
      'not JSON or empty, `path` for a path whose `%` begin no UTF-8 byte; a request that is not valid ' +
      'HTTP/1.1, a bad chunk or a length that contradicts itself, has none)',
  ),
  INVALID_ID: edge(400, ['api'], 'an id in the path that is not 1–64 letters, digits, `_` or `-`'),
  INVALID_NUMBER: edge(400, ['api', 'projector'], 'a line number in the path that is not a phone number'),
  CONCURRENCY_CONFLICT: edge(
    409,
    ['api'],
    'a stream kept changing during every retry; simply resend the command',
  ),
  NOT_FOUND: edge(
    404,
    ['api', 'projector'],
    'no such route, an unknown call action, or a panel asset or command the projector does not serve',
  ),
  COMMAND_ID_TAKEN: edge(
    409,
    ['api'],
    "a `commandId` or `Idempotency-Key` that another party's command already used on the same line or " +
      'account within the idempotency window; send the command under an id of its own',
  ),
  IDEMPOTENCY_KEY_REUSED: edge(
    422,
    ['api'],
    'a `commandId` or `Idempotency-Key` the same party already used on the same line or account within ' +
      'the idempotency window, for a different request (another route, path or body); resend that ' +
      'request unchanged for its first result, or send this one under an id of its own',
  ),
  METHOD_NOT_ALLOWED: edge(
    405,
    ['api', 'projector'],
    'a method the path does not take (PUT where the command is a POST); `Allow` names those it does',
  ),
  URI_TOO_LONG: edge(
    414,
    ['api', 'projector'],
    'a path parameter over 100 characters (no id or number is that long)',
  ),
  PAYLOAD_TOO_LARGE: edge(413, ['api', 'projector'], "a body over 64 KiB (the projector's: over 1 MiB)"),
  HEADERS_TOO_LARGE: edge(431, ['api', 'projector'], "a request's headers over the 16 KiB Node.js reads"),
  REQUEST_TIMEOUT: edge(
    408,
    ['api', 'projector'],
    "a request whose headers or body did not arrive whole within Node.js's time limits",
  ),
  UNSUPPORTED_MEDIA_TYPE: edge(
    415,
    ['api', 'projector'],
    'a command whose body is not `application/json` (forms, text, untyped bodies)',
  ),
  HOST_NOT_ALLOWED: edge(
    421,
    ['api', 'projector'],
    'a `Host` header that is not an allowed name (DNS rebinding)',
  ),
  ORIGIN_NOT_ALLOWED: edge(
    403,
    ['api', 'projector'],
    'a page of an origin outside the allow-list (`SWITCHBOARD_ALLOWED_ORIGINS`)',
  ),
  STREAM_DELETED: edge(
    410,
    ['api'],
    "the account's or line's stream was deleted or tombstoned in the store behind the api's back",
  ),
  TOO_MANY_COMMANDS: edge(
    429,
    ['api'],
    'a stream took more commands within the idempotency window than the api remembers; retry after ' +
      '`Retry-After`',
  ),
  FOREIGN_EVENT_IN_STREAM: edge(
    422,
    ['api'],
    "the stream holds an event that carries Switchboard's metadata but that this build cannot read; " +
      '`details` names its position',
  ),
  INTERNAL_ERROR: edge(500, ['api', 'projector'], 'a bug: the log of the app that answered has the stack'),
  STORE_UNAVAILABLE: edge(
    503,
    ['api'],
    'a command while the event store is not answering (stopped, restarting, unreachable); resend it once it is back',
  ),
  STORE_CANNOT_WRITE: edge(
    503,
    ['api'],
    'a command while the event store cannot write its log (a full disk, a failing one: `details.cause` has ' +
      'its error code, such as `ENOSPC`); nothing was appended; resend it once the store can write again',
  ),
  ACCOUNT_NOT_FOUND: edge(404, ['projector'], 'the read models have no such account (yet)', {
    says: 'There is no account "{account}" (yet).',
  }),
  CALL_NOT_FOUND: edge(404, ['projector'], 'the read models have no such call (yet)', {
    says: 'There is no call {callId} {where} in the log (yet).',
  }),
  AMBIGUOUS_CALL_ID: edge(
    409,
    ['projector'],
    '`/calls/{callId}/…` for an id several lines used (ids are unique per line); ask on `/lines/{accountId}/{number}/calls/…`',
  ),
  NOT_VISIBLE_TO_VIEWER: edge(403, ['projector'], 'the viewer may not see this', {
    rules: ['R10', 'R17', 'R18'],
  }),
  PROJECTION_FAILED: edge(500, ['projector'], 'an "as of" replay met an event it cannot apply'),
  TIME_TRAVEL_BUSY: edge(
    429,
    ['projector'],
    'more "as of" queries and rebuilds at once than the projector runs (2) and queues (8); retry after `Retry-After`',
  ),
  AS_OF_TIME_NOT_REACHED: edge(
    422,
    ['projector'],
    "an `asOfTime` after the stack's clock (the virtual clock, or the wall clock in realtime mode) and " +
      'its last event: nothing has happened then yet; `stackTime` says where the clock is',
    {
      says: "{asked} has not come yet: the stack's clock is at {stackTime}. Ask for a time at or before it, or leave asOfTime out for the live view.",
    },
  ),
  PARTY_NOT_FOUND: edge(
    404,
    ['projector'],
    'a party route (roster, history, recordings) or `/panel/seat` for a party the account does not have',
    { says: '"{party}" is not a party of account {account} (yet).' },
  ),
  NOT_BUILT: edge(404, ['projector'], '`/panel` when the web app was not built (`npm run build`)'),
  API_UNAVAILABLE: edge(
    502,
    ['projector'],
    'a panel command (`/panel/api/…`) while the api at the address the projector was given is not answering (refused, or no answer within 10 s)',
  ),
  API_ADDRESS_NOT_SET: edge(
    502,
    ['projector'],
    'a panel command (`/panel/api/…`) when the projector was given no address for the api it can use: `API_PORT=0` (or a value that is no port or URL) and no `SWITCHBOARD_API_URL`, or none of `SWITCHBOARD_API_URL`, `API_HOST`, `API_PORT` set and no api answering at the default `http://127.0.0.1:3000`; setting them, not waiting, is the cure',
  ),
} as const satisfies Readonly<Record<string, EdgeReason>>;

export type EdgeReasonCode = keyof typeof EDGE_REASONS;

/** The edge reasons that are always worded alike, and so carry their sentence. */
export type WordedEdgeReasonCode = {
  [Code in EdgeReasonCode]: (typeof EDGE_REASONS)[Code] extends { readonly says: string } ? Code : never;
}[EdgeReasonCode];

/** The sentence the edge reason `code` is given with, filled in with `params`. */
export const edgeSentenceOf = <Code extends WordedEdgeReasonCode>(
  code: Code,
  params: Fill<(typeof EDGE_REASONS)[Code]['says']>,
): string => fillIn(EDGE_REASONS[code].says, new Map<string, unknown>(Object.entries(params)));

// ── Which command answers which reason ─────────────────────────────────────────────────────────

/** Every command of an account but its creation is refused on an account that does not exist. */
const ACCOUNT = ['ACCOUNT_NOT_FOUND'] as const;
/** R2–R3: a party taking part in delegation. */
const DELEGATION_ELIGIBILITY = [
  'NO_CALLING_PLAN',
  'DELEGATION_DISABLED_FOR_ACCOUNT',
  'DELEGATION_DISABLED_FOR_USER',
] as const;
/** R4: a phone user in the Assistant panel. */
const ASSISTANT_ELIGIBILITY = [
  'ASSISTANT_DISABLED',
  'DESKTOP_CLIENT_MISSING',
  'DESKTOP_CLIENT_UNSUPPORTED',
  'DESKTOP_CLIENT_OUTDATED',
] as const;
const NUMBERS = [
  'NO_DIRECT_NUMBER',
  'INVALID_NUMBER',
  'DUPLICATE_NUMBER',
  'NUMBER_ALREADY_ASSIGNED',
] as const;
const PERMISSION_SET = [
  'UNKNOWN_PERMISSION',
  'NO_CORE_PERMISSION',
  'OPT_IN_OUT_NEEDS_ANSWER_CALLS',
  'VIP_ONLY_NEEDS_ANSWER_CALLS',
  'POWER_PACK_REQUIRED',
] as const;
const SHARED_LINES = ['NO_SHARED_LINE', 'SHARED_LINE_NOT_OWNED'] as const;
/** A delegation the command names, changed by its delegator or an admin (R7). */
const MANAGED_DELEGATION = [
  ...ACCOUNT,
  'DELEGATION_NOT_FOUND',
  'DELEGATION_ALREADY_ENDED',
  'ACTOR_NOT_ALLOWED',
  'DELEGATION_LOCKED',
] as const;
/** A delegate changing a setting of its own delegation with a permission (R6, R7, R4, R5). */
const DELEGATE_SETTING = [
  ...ACCOUNT,
  'DELEGATION_NOT_FOUND',
  'DELEGATION_NOT_ACTIVE',
  'ACTOR_NOT_ALLOWED',
  'PERMISSION_REQUIRED',
  ...ASSISTANT_ELIGIBILITY,
  'POWER_PACK_REQUIRED',
  'DELEGATION_LOCKED',
] as const;
/** A party's own setting, changed by the party or an admin. */
const PARTY_SETTING = [...ACCOUNT, 'PARTY_NOT_FOUND', 'ACTOR_NOT_ALLOWED'] as const;
/** A party's licence or numbers, changed by an admin. */
const ADMIN_SETTING = [...ACCOUNT, 'PARTY_NOT_FOUND', 'ADMIN_ONLY'] as const;
/** A VIP feature of a delegator (R19, R5). */
const VIP = [...ACCOUNT, 'PARTY_NOT_FOUND', 'ACTOR_NOT_ALLOWED', 'POWER_PACK_REQUIRED'] as const;

/** Editing a party's speed dials: the party, an admin, or its delegate with `manageSpeedDials` (R22, R6, R7). */
const SPEED_DIAL_EDIT = [
  ...ACCOUNT,
  'PARTY_NOT_FOUND',
  'ACTOR_NOT_ALLOWED',
  'INVITATION_PENDING',
  'PERMISSION_REQUIRED',
  ...DELEGATION_ELIGIBILITY,
  ...ASSISTANT_ELIGIBILITY,
  'POWER_PACK_REQUIRED',
] as const;

/** Every line command: the line and its account exist, and its time is one (R21). */
const LINE = ['ACCOUNT_NOT_FOUND', 'LINE_NOT_FOUND', 'INVALID_TIME'] as const;
/** A line-side party acting (R10, R7, R2–R5). */
const ACTING = [
  ...LINE,
  'LINE_NOT_SHARED',
  'DELEGATION_NOT_ACTIVE',
  ...DELEGATION_ELIGIBILITY,
  ...ASSISTANT_ELIGIBILITY,
  'POWER_PACK_REQUIRED',
] as const;
const CALL = ['CALL_NOT_FOUND', 'CALL_ENDED'] as const;
/** Picking up or merging a held call someone else holds (R15, R16). */
const TAKING_HELD_CALL = [
  ...ACTING,
  ...CALL,
  'PERMISSION_REQUIRED',
  'CALL_NOT_HELD',
  'CALL_HELD_BY_YOU',
  'CALL_PRIVACY_LOCKED',
] as const;

/** The domain's refusals each command can answer with. */
export const COMMAND_REASONS: Readonly<
  Record<AccountCommand['type'] | LineCommand['type'], readonly ReasonCode[]>
> = {
  // Account
  CreateAccount: ['ACCOUNT_ALREADY_EXISTS', 'INVALID_DELEGATION_LIMIT', 'INVALID_VERSION'],
  ChangeAccountPolicy: [...ACCOUNT, 'ADMIN_ONLY', 'INVALID_DELEGATION_LIMIT', 'INVALID_VERSION'],
  // Parties
  ProvisionPhoneUser: [...ACCOUNT, 'ADMIN_ONLY', 'PARTY_ALREADY_EXISTS', ...NUMBERS, 'INVALID_VERSION'],
  ProvisionCommonAreaPhone: [...ACCOUNT, 'ADMIN_ONLY', 'PARTY_ALREADY_EXISTS', ...NUMBERS],
  ChangeDirectNumbers: [...ADMIN_SETTING, ...NUMBERS, 'NUMBER_SHARED_BY_DELEGATION'],
  ChangeCallingPlan: ADMIN_SETTING,
  ChangePowerPack: ADMIN_SETTING,
  ChangeAssistant: [...ADMIN_SETTING, 'NOT_A_PHONE_USER'],
  ReportDesktopClient: [...PARTY_SETTING, 'NOT_A_PHONE_USER', 'INVALID_VERSION'],
  SetBusinessHours: [...PARTY_SETTING, 'INVALID_BUSINESS_HOURS'],
  ChangeRingTimeout: [...PARTY_SETTING, 'INVALID_RING_TIMEOUT'],
  // Per-user delegation settings (R3)
  EnableDelegationForUser: [...PARTY_SETTING, 'DELEGATION_LOCKED'],
  DisableDelegationForUser: [...PARTY_SETTING, 'DELEGATION_LOCKED'],
  LockDelegation: [...ADMIN_SETTING, 'PENDING_INVITATION_BLOCKS_LOCK'],
  UnlockDelegation: ADMIN_SETTING,
  // Delegations (R6–R10)
  InviteDelegate: [
    ...ACCOUNT,
    'PARTY_NOT_FOUND',
    'ACTOR_NOT_ALLOWED',
    'SELF_DELEGATION',
    ...DELEGATION_ELIGIBILITY,
    'DELEGATION_LOCKED',
    ...PERMISSION_SET,
    ...SHARED_LINES,
    'DELEGATE_LIMIT_REACHED',
    'DELEGATOR_LIMIT_REACHED',
    'DELEGATION_ALREADY_EXISTS',
    'DELEGATION_ID_TAKEN',
  ],
  AcceptInvitation: [
    ...ACCOUNT,
    'DELEGATION_NOT_FOUND',
    'INVITATION_NOT_PENDING',
    'ACTOR_NOT_ALLOWED',
    ...DELEGATION_ELIGIBILITY,
    ...ASSISTANT_ELIGIBILITY,
    'POWER_PACK_REQUIRED',
    'DELEGATE_LIMIT_REACHED',
    'DELEGATOR_LIMIT_REACHED',
  ],
  DeclineInvitation: [...ACCOUNT, 'DELEGATION_NOT_FOUND', 'INVITATION_NOT_PENDING', 'ACTOR_NOT_ALLOWED'],
  RevokeDelegation: MANAGED_DELEGATION,
  ChangeDelegationPermissions: [...MANAGED_DELEGATION, ...PERMISSION_SET],
  ChangeSharedLines: [...MANAGED_DELEGATION, ...SHARED_LINES],
  OptIn: DELEGATE_SETTING,
  OptOut: DELEGATE_SETTING,
  SetDelegateBusinessHours: [...DELEGATE_SETTING, 'INVALID_BUSINESS_HOURS'],
  // VIP delegation (R5, R19)
  AddVipContact: [
    ...VIP,
    'INVALID_NUMBER',
    'DELEGATION_NOT_FOUND',
    'INVITATION_PENDING',
    'PERMISSION_REQUIRED',
    ...DELEGATION_ELIGIBILITY,
    ...ASSISTANT_ELIGIBILITY,
  ],
  RemoveVipContact: [
    ...VIP,
    'VIP_CONTACT_NOT_FOUND',
    'DELEGATION_NOT_FOUND',
    'INVITATION_PENDING',
    'PERMISSION_REQUIRED',
    ...DELEGATION_ELIGIBILITY,
    ...ASSISTANT_ELIGIBILITY,
  ],
  ChangeVipRouting: [...VIP, 'INVALID_VIP_ROUTING'],
  // Speed dials (R22) and line names (R23)
  AddSpeedDial: [
    ...SPEED_DIAL_EDIT,
    'SPEED_DIAL_ID_TAKEN',
    'SPEED_DIAL_POSITION_TAKEN',
    'SPEED_DIAL_POSITION_OUT_OF_RANGE',
    'INVALID_SPEED_DIAL_LABEL',
    'INVALID_NUMBER',
  ],
  RelabelSpeedDial: [...SPEED_DIAL_EDIT, 'SPEED_DIAL_NOT_FOUND', 'INVALID_SPEED_DIAL_LABEL'],
  MoveSpeedDial: [
    ...SPEED_DIAL_EDIT,
    'SPEED_DIAL_NOT_FOUND',
    'SPEED_DIAL_POSITION_TAKEN',
    'SPEED_DIAL_POSITION_OUT_OF_RANGE',
  ],
  RemoveSpeedDial: [...SPEED_DIAL_EDIT, 'SPEED_DIAL_NOT_FOUND'],
  ChangeSpeedDialLimit: [...ACCOUNT, 'ADMIN_ONLY', 'INVALID_SPEED_DIAL_LIMIT', 'SPEED_DIAL_LIMIT_BELOW_USE'],
  NameLine: [...PARTY_SETTING, 'LINE_NOT_FOUND', 'INVALID_LINE_NAME', 'LINE_NAME_TAKEN'],

  // Lines: placing and receiving (R10–R14)
  PlaceCallOnSharedLine: [...ACTING, 'PERMISSION_REQUIRED', 'CALL_ID_IN_USE', 'LINE_BUSY'],
  ReceiveIncomingCall: [...LINE, 'CALL_ID_IN_USE'],
  AnswerAsExternalParty: [...LINE, ...CALL, 'CALL_NOT_RINGING', 'ALREADY_ANSWERED'],
  HangUpAsExternalParty: [...LINE, 'CALL_NOT_FOUND'],
  AnswerCall: [
    ...ACTING,
    ...CALL,
    'PERMISSION_REQUIRED',
    'ALREADY_ANSWERED',
    'CALL_NOT_RINGING',
    'NOT_RINGING_FOR_YOU',
  ],
  DeclineCall: [...ACTING, ...CALL, 'CALL_NOT_RINGING', 'NOT_RINGING_FOR_YOU', 'ALREADY_ANSWERED'],
  // Hold, resume, pick up, privacy (R15)
  HoldCall: [...ACTING, ...CALL, 'CALL_NOT_CONNECTED', 'NOT_ON_CALL', 'PRIVACY_LOCK_DELEGATOR_ONLY'],
  ResumeCall: [...ACTING, ...CALL, 'CALL_NOT_HELD', 'NOT_HOLDER'],
  PickUpHeldCall: TAKING_HELD_CALL,
  SetCallPrivacyLock: [...ACTING, ...CALL, 'PRIVACY_LOCK_DELEGATOR_ONLY', 'NOT_ON_CALL'],
  // Transfer, join, merge (R16)
  TransferCall: [...ACTING, ...CALL, 'CALL_NOT_CONNECTED', 'NOT_ON_CALL', 'TRANSFER_TARGET_NOT_ALLOWED'],
  JoinCall: [
    ...ACTING,
    ...CALL,
    'PERMISSION_REQUIRED',
    'CALL_NOT_CONNECTED',
    'ALREADY_ON_CALL',
    'CALL_PRIVACY_LOCKED',
  ],
  MergeHeldCall: TAKING_HELD_CALL,
  HangUp: [...LINE, ...CALL, 'NOT_ON_CALL'],
  // Recordings (R18)
  StartRecording: [...LINE, ...CALL, 'CALL_NOT_CONNECTED', 'NOT_ON_CALL', 'RECORDING_ALREADY_ACTIVE'],
  StopRecording: [...LINE, ...CALL, 'RECORDING_NOT_FOUND', 'RECORDING_NOT_OWNER'],
  // Shared voicemail (R17)
  ReadVoicemail: [...ACTING, 'VOICEMAIL_NOT_FOUND'],
  DeleteVoicemail: [...ACTING, 'VOICEMAIL_NOT_FOUND'],
  // Timers (R14, R16, R19, R21): sent by the api's process manager, never by a client
  ExpireRing: [...LINE, 'TIMER_NOT_DUE'],
  EscalateVipRing: [...LINE, 'TIMER_NOT_DUE'],
  RecallTransfer: [...LINE, 'TIMER_NOT_DUE'],
  // Sent by the api after an account change, never by a client (R16)
  RecheckTransferTarget: [...LINE],
};

/** The command types of the catalogue, e.g. for a route to name the one it sends. */
export type CommandType = keyof typeof COMMAND_REASONS;
