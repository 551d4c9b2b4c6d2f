import { named } from './named.js';

describe('a name set apart in a sentence built on the server', () => {
  it('leaves a name of left-to-right letters as it is, so plain sentences read as they always did', () => {
    expect(named('Alice – front desk')).toBe('Alice – front desk');
  });

  it('sets a right-to-left name or one holding direction controls in a first-strong isolate', () => {
    expect(named('\u05d3\u05e0\u05d4')).toBe('\u2068\u05d3\u05e0\u05d4\u2069');
    expect(named('\u202eecilA')).toBe('\u2068\u202eecilA\u2069');
  });

  it('drops a closing isolate the name did not open, which would end the isolate early, and closes one it left open', () => {
    expect(named('Mallory\u2069\u202e')).toBe('\u2068Mallory\u202e\u2069');
    expect(named('\u2067Bob')).toBe('\u2068\u2067Bob\u2069\u2069');
    expect(named('\u2066Bob\u2069')).toBe('\u2068\u2066Bob\u2069\u2069');
  });
});
