import { parseMix } from './mix.js';

describe('call flow mix', () => {
  it('reads flow=weight pairs, a weight of 0 included', () => {
    // Given a mix as a load tester writes it, When parsed, Then each flow carries its weight
    expect(parseMix('place=3, ring-answer=0.5,voicemail=0')).toEqual([
      { flow: 'place', weight: 3 },
      { flow: 'ring-answer', weight: 0.5 },
      { flow: 'voicemail', weight: 0 },
    ]);
  });

  it('refuses a flow without its weight, showing the form expected', () => {
    // Given a flow named bare, or with an empty weight, When parsed,
    // Then it is refused: these ran with a weight of 1 (bare) or 0 (empty) that nobody wrote
    expect(() => parseMix('place')).toThrow(
      '"place" in the mix has no weight: write flow=weight pairs, e.g. place=3,ring-answer=4',
    );
    expect(() => parseMix('ring-answer=4,place')).toThrow('"place" in the mix has no weight');
    expect(() => parseMix('place=')).toThrow(
      'weight of place must be a number >= 0, not "": write flow=weight pairs, e.g. place=3,ring-answer=4',
    );
  });

  it('refuses a weight that is not a plain number', () => {
    for (const bad of ['place=1=2', 'place=-1', 'place=abc', 'place=0x10', 'place=Infinity'])
      expect(() => parseMix(bad)).toThrow(/weight of place must be a number >= 0/);
  });

  it('refuses a flow named twice, whatever its weights', () => {
    // Given a mix that names a flow more than once, When parsed,
    // Then it is refused, naming the flow: its weights were added up into a mix nobody wrote
    expect(() => parseMix('place=1,place=2')).toThrow(
      'call flow "place" is named twice in the mix "place=1,place=2": give each flow one weight',
    );
    expect(() => parseMix('place=3,ring-answer=4, voicemail=1,ring-answer=0')).toThrow(
      'call flow "ring-answer" is named twice in the mix',
    );
    expect(() => parseMix('transfer=0,transfer=0,place=1')).toThrow('call flow "transfer" is named twice');
  });

  it('refuses unknown flows and a mix that can run nothing', () => {
    expect(() => parseMix('dial=1')).toThrow('unknown call flow "dial" in the mix');
    expect(() => parseMix('place=0')).toThrow('the mix "place=0" has no positive weight');
  });
});
