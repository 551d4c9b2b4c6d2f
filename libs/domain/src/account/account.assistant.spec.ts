import { lineContextFor } from '../line-context/line-context.js';
import { lineDecider } from '../line/line.decider.js';
import { speedDialNumber } from './account.assistant.decide.js';
import type * as C from './account.commands.js';
import {
  ADMIN,
  ALICE,
  ALICE_SECOND,
  BOB,
  CAROL,
  EVERYDAY,
  T0,
  accept,
  acme,
  addSpeedDial,
  changeDirectNumbers,
  changePermissions,
  extend,
  given,
  invite,
  nameLine,
  numberOf,
  stateOf,
} from './account.fixtures.js';
import { DEFAULT_MAX_SPEED_DIALS, type ActiveAccount } from './account.state.js';

const EXTERNAL = '+15558880001';
const withKey = extend(acme, addSpeedDial(ALICE, 'k1', { label: 'Bob', number: numberOf(BOB) }));
/** Bob is Alice's active delegate with everyday permissions plus manageSpeedDials. */
const bobManages = extend(
  withKey,
  invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'manageSpeedDials'] }),
  accept('d1', BOB),
);
const bobDelegate = extend(withKey, invite('d1', ALICE, BOB), accept('d1', BOB));

const relabel = (entryId: string, label: string, actor = ALICE): C.RelabelSpeedDial => ({
  type: 'RelabelSpeedDial',
  actor,
  ownerId: ALICE,
  entryId,
  label,
});
const move = (entryId: string, position: number, actor = ALICE): C.MoveSpeedDial => ({
  type: 'MoveSpeedDial',
  actor,
  ownerId: ALICE,
  entryId,
  position,
});
const remove = (entryId: string, actor = ALICE): C.RemoveSpeedDial => ({
  type: 'RemoveSpeedDial',
  actor,
  ownerId: ALICE,
  entryId,
});
const limit = (maxSpeedDials: number, actor = ADMIN): C.ChangeSpeedDialLimit => ({
  type: 'ChangeSpeedDialLimit',
  actor,
  maxSpeedDials,
});
const active = (events: Parameters<typeof stateOf>[0]): ActiveAccount => stateOf(events) as ActiveAccount;

describe('speed dials (R22)', () => {
  it('R22: a party adds a speed-dial key; the key is an event with its label, number and position', () => {
    given(acme)
      .when(addSpeedDial(ALICE, 'k1', { label: 'Travel desk', number: EXTERNAL, position: 3 }))
      .then([
        {
          type: 'SpeedDialAdded',
          data: {
            ownerId: ALICE,
            entryId: 'k1',
            label: 'Travel desk',
            number: EXTERNAL,
            position: 3,
            by: ALICE,
            at: T0,
          },
        },
      ]);
  });

  it('R22: the list is ordered by key position, whatever order the keys were added in', () => {
    const events = extend(
      acme,
      addSpeedDial(ALICE, 'late', { position: 5 }),
      addSpeedDial(ALICE, 'early', { position: 2 }),
    );
    expect(
      active(events)
        .parties.get(ALICE)!
        .speedDials.map((d) => d.entryId),
    ).toEqual(['early', 'late']);
  });

  it('R22: resending the same add appends nothing; a different entry under a used id is refused', () => {
    given(withKey)
      .when(addSpeedDial(ALICE, 'k1', { label: 'Bob', number: numberOf(BOB) }))
      .then([]);
    given(withKey)
      .when(addSpeedDial(ALICE, 'k1', { label: 'Other' }))
      .thenRejects('SPEED_DIAL_ID_TAKEN', 'R22');
  });

  it('R22: two keys cannot share a position', () => {
    given(withKey)
      .when(addSpeedDial(ALICE, 'k2', { position: 1 }))
      .thenRejects('SPEED_DIAL_POSITION_TAKEN', 'R22');
    given(extend(withKey, addSpeedDial(ALICE, 'k2', { position: 2 })))
      .when(move('k2', 1))
      .thenRejects('SPEED_DIAL_POSITION_TAKEN', 'R22');
  });

  it('R22: positions run from 1 to the account limit', () => {
    given(acme)
      .when(addSpeedDial(ALICE, 'k1', { position: 0 }))
      .thenRejects('SPEED_DIAL_POSITION_OUT_OF_RANGE');
    given(acme)
      .when(addSpeedDial(ALICE, 'k1', { position: DEFAULT_MAX_SPEED_DIALS + 1 }))
      .thenRejects('SPEED_DIAL_POSITION_OUT_OF_RANGE', 'R22');
    given(withKey).when(move('k1', 1.5)).thenRejects('SPEED_DIAL_POSITION_OUT_OF_RANGE', 'R22');
  });

  it('R22: labels are 1–40 characters, not blank; a 10,000-character label is refused', () => {
    given(acme)
      .when(addSpeedDial(ALICE, 'k1', { label: 'x'.repeat(10_000) }))
      .thenRejects('INVALID_SPEED_DIAL_LABEL', 'R22');
    given(acme)
      .when(addSpeedDial(ALICE, 'k1', { label: '   ' }))
      .thenRejects('INVALID_SPEED_DIAL_LABEL');
    given(withKey).when(relabel('k1', '')).thenRejects('INVALID_SPEED_DIAL_LABEL');
    // A label is one line people read: nothing but invisible or control characters is blank, and a
    // text-direction override would show what follows it backwards.
    for (const label of ['\u200b', '\u0000', 'Bob\ndesk', '\t', '\u202e', 'Bob\u202edesk', 'Bob\u2068'])
      given(acme)
        .when(addSpeedDial(ALICE, 'k1', { label }))
        .thenRejects('INVALID_SPEED_DIAL_LABEL', 'R22');
  });

  it('R22: a number must be E.164, internal or external', () => {
    given(acme)
      .when(addSpeedDial(ALICE, 'k1', { number: '555-0100' }))
      .thenRejects('INVALID_NUMBER', 'R22');
  });

  it('R22: relabelling, moving and removing are events; stating the current value appends nothing', () => {
    given(withKey)
      .when(relabel('k1', 'Bob (desk)'))
      .then([
        {
          type: 'SpeedDialRelabelled',
          data: { ownerId: ALICE, entryId: 'k1', label: 'Bob (desk)', by: ALICE, at: T0 },
        },
      ]);
    given(withKey).when(relabel('k1', 'Bob')).then([]);
    given(withKey)
      .when(move('k1', 4))
      .then([
        {
          type: 'SpeedDialMoved',
          data: { ownerId: ALICE, entryId: 'k1', fromPosition: 1, position: 4, by: ALICE, at: T0 },
        },
      ]);
    given(withKey).when(move('k1', 1)).then([]);
    given(withKey)
      .when(remove('k1'))
      .then([{ type: 'SpeedDialRemoved', data: { ownerId: ALICE, entryId: 'k1', by: ALICE, at: T0 } }]);
  });

  it('R22: an unknown entry is not found', () => {
    given(withKey).when(relabel('nope', 'x')).thenRejects('SPEED_DIAL_NOT_FOUND', 'R22');
    given(withKey).when(remove('nope')).thenRejects('SPEED_DIAL_NOT_FOUND', 'R22');
    given(extend(withKey, remove('k1')))
      .when(move('k1', 2))
      .thenRejects('SPEED_DIAL_NOT_FOUND');
  });

  it('R22: an admin may edit any party’s list', () => {
    given(withKey)
      .when(relabel('k1', 'Bob', ADMIN))
      .then([]);
    given(withKey)
      .when(remove('k1', ADMIN))
      .thenEmits((events) => expect(events).toHaveLength(1));
  });

  describe('the manageSpeedDials permission (R22, R6)', () => {
    it('R22: a delegate with manageSpeedDials edits the delegator’s list', () => {
      given(bobManages)
        .when(relabel('k1', 'Bob (mobile)', BOB))
        .thenEmits((events) =>
          expect(events[0]).toMatchObject({ type: 'SpeedDialRelabelled', data: { by: BOB, ownerId: ALICE } }),
        );
      given(bobManages)
        .when(addSpeedDial(ALICE, 'k2', { position: 2, actor: BOB }))
        .thenEmits((events) => expect(events).toHaveLength(1));
    });

    it('R22: a delegate without it is refused, naming the permission', () => {
      const error = given(bobDelegate)
        .when(relabel('k1', 'x', BOB))
        .thenRejects('PERMISSION_REQUIRED', 'R6');
      expect(error.message).toContain('manageSpeedDials');
    });

    it('R22: a delegate whose invitation is pending, or who lost the permission, is refused', () => {
      const pending = extend(
        withKey,
        invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'manageSpeedDials'] }),
      );
      given(pending).when(remove('k1', BOB)).thenRejects('INVITATION_PENDING', 'R7');
      given(extend(bobManages, changePermissions('d1', ALICE, EVERYDAY)))
        .when(remove('k1', BOB))
        .thenRejects('PERMISSION_REQUIRED');
    });

    it('R22: someone who is neither the owner, an admin nor a delegate is not allowed', () => {
      given(withKey)
        .when(relabel('k1', 'x', CAROL))
        .thenRejects('ACTOR_NOT_ALLOWED', 'R22');
      // Alice's delegation to Bob does not let Alice edit Bob's list.
      given(bobManages)
        .when(addSpeedDial(BOB, 'b1', { actor: ALICE }))
        .thenRejects('ACTOR_NOT_ALLOWED', 'R22');
    });
  });

  describe('the account limit (R22)', () => {
    it(`R22: defaults to ${DEFAULT_MAX_SPEED_DIALS} keys; an admin changes it, as an event`, () => {
      expect(active(acme).maxSpeedDials).toBe(DEFAULT_MAX_SPEED_DIALS);
      given(acme)
        .when(limit(40))
        .then([{ type: 'SpeedDialLimitChanged', data: { maxSpeedDials: 40, by: ADMIN, at: T0 } }]);
      given(acme).when(limit(DEFAULT_MAX_SPEED_DIALS)).then([]);
    });

    it('R22: only an admin changes it, to a whole number from 1 to 100', () => {
      given(acme).when(limit(10, ALICE)).thenRejects('ADMIN_ONLY', 'R22');
      given(acme).when(limit(0)).thenRejects('INVALID_SPEED_DIAL_LIMIT', 'R22');
      given(acme).when(limit(101)).thenRejects('INVALID_SPEED_DIAL_LIMIT');
      given(acme).when(limit(2.5)).thenRejects('INVALID_SPEED_DIAL_LIMIT');
    });

    it('R22: the limit cannot drop below a party’s keys in use', () => {
      const used = extend(acme, addSpeedDial(ALICE, 'k', { position: 7 }));
      given(used).when(limit(6)).thenRejects('SPEED_DIAL_LIMIT_BELOW_USE', 'R22');
      given(used)
        .when(limit(7))
        .thenEmits((events) => expect(events).toHaveLength(1));
    });

    it('R22: a full list takes no more keys until one is removed', () => {
      const full = extend(
        acme,
        limit(3),
        addSpeedDial(ALICE, 'a', { position: 1 }),
        addSpeedDial(ALICE, 'b', { position: 2 }),
        addSpeedDial(ALICE, 'c', { position: 3 }),
      );
      // Keys are positions 1…limit, one entry each: a full list has no free key left.
      given(full)
        .when(addSpeedDial(ALICE, 'd', { position: 3 }))
        .thenRejects('SPEED_DIAL_POSITION_TAKEN');
      given(full)
        .when(addSpeedDial(ALICE, 'd', { position: 4 }))
        .thenRejects('SPEED_DIAL_POSITION_OUT_OF_RANGE');
      given(extend(full, remove('c')))
        .when(addSpeedDial(ALICE, 'd', { position: 3 }))
        .thenEmits((events) => expect(events).toHaveLength(1));
    });
  });

  describe('placing a call from a key (R22 → R11, R12)', () => {
    it('R22: the key dials its number: the line decides the very command dialling it would be', () => {
      const state = active(bobManages);
      const entry = speedDialNumber(state, { actor: BOB, ownerId: ALICE, entryId: 'k1' });
      const context = lineContextFor(state, numberOf(ALICE), T0);
      const place = { type: 'PlaceCallOnSharedLine', actor: BOB, callId: 'c1', to: entry.number } as const;
      expect(lineDecider.decide(place, lineDecider.initialState, context)).toEqual(
        lineDecider.decide({ ...place, to: numberOf(BOB) }, lineDecider.initialState, context),
      );
      expect(entry.number).toBe(numberOf(BOB));
    });

    it('R22: pressing a key of a list you may not use, or a key that is gone, is refused', () => {
      const state = active(bobDelegate);
      expect(() => speedDialNumber(state, { actor: BOB, ownerId: ALICE, entryId: 'k1' })).toThrow(
        expect.objectContaining({ code: 'PERMISSION_REQUIRED' }),
      );
      expect(() => speedDialNumber(state, { actor: ALICE, ownerId: ALICE, entryId: 'gone' })).toThrow(
        expect.objectContaining({ code: 'SPEED_DIAL_NOT_FOUND' }),
      );
    });
  });
});

describe('named shared lines (R23)', () => {
  /** Alice with a second number, so that her two lines can be named alike or apart. */
  const twoLines = extend(acme, changeDirectNumbers(ALICE, [numberOf(ALICE), ALICE_SECOND]));

  it('R23: the delegator names its direct number; the name is an event', () => {
    given(acme)
      .when(nameLine(ALICE, 'Alice – front desk'))
      .then([
        {
          type: 'LineNamed',
          data: { partyId: ALICE, number: numberOf(ALICE), name: 'Alice – front desk', by: ALICE, at: T0 },
        },
      ]);
  });

  it('R23: an admin may name it too; nobody else may', () => {
    given(acme)
      .when(nameLine(ALICE, 'Sales', numberOf(ALICE), ADMIN))
      .thenEmits((events) => expect(events).toHaveLength(1));
    given(extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB)))
      .when(nameLine(ALICE, 'Sales', numberOf(ALICE), BOB))
      .thenRejects('ACTOR_NOT_ALLOWED', 'R23');
  });

  it('R23: only the party’s own numbers can be named', () => {
    given(acme)
      .when(nameLine(ALICE, 'Sales', numberOf(BOB)))
      .thenRejects('LINE_NOT_FOUND', 'R23');
  });

  it('R23: names are 1–40 characters, not blank; null clears a name', () => {
    given(acme)
      .when(nameLine(ALICE, 'x'.repeat(10_000)))
      .thenRejects('INVALID_LINE_NAME', 'R23');
    given(acme).when(nameLine(ALICE, ' ')).thenRejects('INVALID_LINE_NAME');
    given(extend(acme, nameLine(ALICE, 'Sales')))
      .when(nameLine(ALICE, null))
      .then([
        {
          type: 'LineNamed',
          data: { partyId: ALICE, number: numberOf(ALICE), name: null, by: ALICE, at: T0 },
        },
      ]);
    given(acme).when(nameLine(ALICE, null)).then([]);
  });

  it('R23: renaming is an event; naming a line what it is already called appends nothing', () => {
    const named = extend(acme, nameLine(ALICE, 'Sales'));
    given(named).when(nameLine(ALICE, 'Sales')).then([]);
    given(named)
      .when(nameLine(ALICE, 'Support'))
      .thenEmits((events) =>
        expect(events).toEqual([
          expect.objectContaining({ type: 'LineNamed', data: expect.objectContaining({ name: 'Support' }) }),
        ]),
      );
  });

  it('R23: two lines of one delegator cannot share a name, so delegates can tell them apart', () => {
    given(extend(twoLines, nameLine(ALICE, 'Sales')))
      .when(nameLine(ALICE, 'Sales', ALICE_SECOND))
      .thenRejects('LINE_NAME_TAKEN', 'R23');
  });

  it('R23: given a line named with a right-to-left override before the api refused them, when another is named what reads the same, then the taken name is set apart in the sentence', () => {
    const legacy = [
      ...twoLines,
      {
        type: 'LineNamed' as const,
        data: { partyId: ALICE, number: ALICE_SECOND, name: '\u202eSales', by: ALICE, at: T0 },
      },
    ];
    given(legacy)
      .when(nameLine(ALICE, 'Sales'))
      .thenRejects('LINE_NAME_TAKEN', 'R23', '"\u2068\u202eSales\u2069": give each line a name of its own');
  });

  it('R23: a name is one line of visible text: invisible or control characters alone are blank, and none may appear, nor a text-direction override', () => {
    for (const name of [
      '\u200b',
      '\u0000',
      '\u202e\u200b',
      'Sales\nFloor',
      'Sales\u0007',
      'Sales\u202e',
      '\u2066Sales',
    ])
      given(acme).when(nameLine(ALICE, name)).thenRejects('INVALID_LINE_NAME', 'R23');
  });

  it('R23: names that read the same are the same name: surrounding spaces and invisible characters do not tell lines apart', () => {
    for (const lookalike of ['Sales ', ' Sales', 'Sales\u200b', '\ufeffSales', 'Sa\u00adles'])
      given(extend(twoLines, nameLine(ALICE, 'Sales')))
        .when(nameLine(ALICE, lookalike, ALICE_SECOND))
        .thenRejects('LINE_NAME_TAKEN', 'R23');
    given(extend(twoLines, nameLine(ALICE, 'Sales')))
      .when(nameLine(ALICE, '  Support  ', ALICE_SECOND))
      .thenEmits((events) =>
        expect(events).toEqual([
          expect.objectContaining({ type: 'LineNamed', data: expect.objectContaining({ name: 'Support' }) }),
        ]),
      );
  });

  it('R23: the name is part of the line’s presentation (R11): the line context carries it', () => {
    const named = active(extend(acme, nameLine(ALICE, 'Sales')));
    expect(lineContextFor(named, numberOf(ALICE), T0).line.name).toBe('Sales');
    expect(lineContextFor(active(acme), numberOf(ALICE), T0).line.name).toBeNull();
  });

  it('R23: a number the party gives up takes its name with it', () => {
    const named = extend(acme, nameLine(ALICE, 'Sales'), changeDirectNumbers(ALICE, [ALICE_SECOND]));
    expect(active(named).parties.get(ALICE)!.lineNames.size).toBe(0);
  });
});
