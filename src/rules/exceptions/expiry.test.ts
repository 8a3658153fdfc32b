import { describe, expect, it } from 'vitest';
import { expiryInstant, stillApplies } from './expiry.js';

const at = (text: string) => Date.parse(text);

describe('expiryInstant', () => {
  it.each([
    ['2027-03-31', at('2027-04-01T00:00:00Z')],
    ['2028-02-29', at('2028-03-01T00:00:00Z')],
    ['2027-12-31', at('2028-01-01T00:00:00Z')],
    ['2027-03-31T18:00:00Z', at('2027-03-31T18:00:00Z')],
    ['2027-03-31t18:00:00z', at('2027-03-31T18:00:00Z')],
    ['2027-03-31T18:00:00+02:00', at('2027-03-31T16:00:00Z')],
    ['2027-03-31T18:00:00-05:30', at('2027-03-31T23:30:00Z')],
    ['2027-03-31T18:00:00.250Z', at('2027-03-31T18:00:00.250Z')],
    ['2016-12-31T23:59:60Z', at('2017-01-01T00:00:00Z')],
  ])('%s stops applying at %d', (text, instant) => {
    expect(expiryInstant(text)).toBe(instant);
  });

  it.each(['2027-02-29', '2027-02-30', '2027-13-01', '2027-00-10', '2027-3-31', '27-03-31', '2027-03-31T24:00:00Z', '2027-03-31T18:00:00', '2027-03-31 18:00:00Z', '2027-03-31T18:00Z', '2027-03-31T18:00:00+24:00', 'tomorrow', ''])(
    '%j is not a date or time',
    (text) => {
      expect(expiryInstant(text)).toBeUndefined();
    },
  );
});

describe('stillApplies (a fixed clock)', () => {
  const expiresAt = expiryInstant('2027-03-31')!;
  it.each([
    ['the day before', at('2027-03-30T12:00:00Z'), true],
    ['the last millisecond of the day', at('2027-03-31T23:59:59.999Z'), true],
    ['the first instant after it', at('2027-04-01T00:00:00Z'), false],
    ['a year later', at('2028-04-01T00:00:00Z'), false],
  ])('%s: %s', (_when, now, applies) => {
    expect(stillApplies(expiresAt, now)).toBe(applies);
  });

  it('an exception without expiry always applies; one with an expiry never without a clock', () => {
    expect(stillApplies(undefined, undefined)).toBe(true);
    expect(stillApplies(expiresAt, undefined)).toBe(false);
  });
});
