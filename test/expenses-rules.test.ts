// Unit vectors of the expense rules: the fiscal mileage scale at the edges of its bands for each
// horsepower class, the electric bonus, the cumulative yearly distance, ceilings and dated rates.
// Expected amounts are worked out by hand from DOMAIN.md (d × rate [+ fixed]), in cents.
import { describe, expect, it } from 'vitest';
import { applyCeiling, mileageLineCents, parseEuros, parseScaleLines, rateOn, scaleLines, yearlyAllowanceCents, type MileageScale } from '../src/modules/expenses/rules.js';

const b = (upToKm: number | null, perKm: number, fixed = 0) => ({ upToKm, perKm, fixed });
const SCALE: MileageScale = {
  classes: [
    { maxCv: 3, bands: [b(5000, 0.529), b(20000, 0.316, 1065), b(null, 0.37)] },
    { maxCv: 4, bands: [b(5000, 0.606), b(20000, 0.34, 1330), b(null, 0.407)] },
    { maxCv: 5, bands: [b(5000, 0.636), b(20000, 0.357, 1395), b(null, 0.427)] },
    { maxCv: 6, bands: [b(5000, 0.665), b(20000, 0.374, 1457), b(null, 0.447)] },
    { maxCv: null, bands: [b(5000, 0.697), b(20000, 0.394, 1515), b(null, 0.47)] },
  ],
  electricBonusPct: 20,
};

describe('mileage scale at the band edges', () => {
  // [cv, km, cents]: 5000 × a1 | 5001 × a2 + b2 | 20000 × a2 + b2 | 20001 × a3
  const vectors: [number, number, number][] = [
    [3, 5000, 264500], [3, 5001, 264532], [3, 20000, 738500], [3, 20001, 740037],
    [4, 5000, 303000], [4, 5001, 303034], [4, 20000, 813000], [4, 20001, 814041],
    [5, 5000, 318000], [5, 5001, 318036], [5, 20000, 853500], [5, 20001, 854043],
    [6, 5000, 332500], [6, 5001, 332737], [6, 20000, 893700], [6, 20001, 894045],
    [7, 5000, 348500], [7, 5001, 348539], [7, 20000, 939500], [7, 20001, 940047],
  ];
  it.each(vectors)('%i CV, %i km → %i cents', (cv, km, cents) => {
    expect(yearlyAllowanceCents(SCALE, cv, false, km)).toBe(cents);
  });

  it('classes: 1–2 CV count as 3 CV, 8 and 12 CV as 7 CV and more', () => {
    expect(yearlyAllowanceCents(SCALE, 1, false, 100)).toBe(5290);
    expect(yearlyAllowanceCents(SCALE, 2, false, 1000)).toBe(52900);
    expect(yearlyAllowanceCents(SCALE, 8, false, 1000)).toBe(69700);
    expect(yearlyAllowanceCents(SCALE, 12, false, 1000)).toBe(69700);
  });

  it('electric cars get +20 %, rounded to the cent once', () => {
    expect(yearlyAllowanceCents(SCALE, 5, true, 5000)).toBe(381600); // 3180 × 1.2
    expect(yearlyAllowanceCents(SCALE, 5, true, 5001)).toBe(381643); // 3180.357 × 1.2 = 3816.4284
    expect(yearlyAllowanceCents(SCALE, 3, true, 20001)).toBe(888044); // 7400.37 × 1.2 = 8880.444
    expect(yearlyAllowanceCents(SCALE, 7, true, 1)).toBe(84); // 0.697 × 1.2 = 0.8364
  });

  it('no distance, no allowance', () => {
    expect(yearlyAllowanceCents(SCALE, 5, false, 0)).toBe(0);
  });
});

describe('cumulative yearly distance', () => {
  it('a line is the yearly amount at the new total minus what the year was already granted', () => {
    // First claim: 4,900 km with a 5 CV → 4900 × 0.636 = 3116.40 €.
    const first = mileageLineCents(SCALE, 5, false, 0, 0, 4900);
    expect(first).toBe(311640);
    // Second claim: 200 km more, total 5,100 km in the second band: 5100 × 0.357 + 1395 = 3215.70 €.
    const second = mileageLineCents(SCALE, 5, false, 4900, first, 200);
    expect(second).toBe(321570 - 311640);
    // Not 200 × 0.636 (127.20 €) as if each claim started the year again.
    expect(second).not.toBe(12720);
    expect(first + second).toBe(yearlyAllowanceCents(SCALE, 5, false, 5100));
  });

  it('crossing 20,000 km re-prices the year at the third band', () => {
    const before = yearlyAllowanceCents(SCALE, 4, false, 19990); // 19990 × 0.34 + 1330 = 8126.60
    expect(before).toBe(812660);
    expect(mileageLineCents(SCALE, 4, false, 19990, before, 20)).toBe(Math.round(20010 * 407 / 10) - 812660);
  });

  it('never negative (a cheaper scale later in the year)', () => {
    expect(mileageLineCents(SCALE, 3, false, 100, 999999, 10)).toBe(0);
  });
});

describe('ceilings and dated rates', () => {
  it('caps at the ceiling and flags the line; at or under it, nothing changes', () => {
    expect(applyCeiling(2500, 2140)).toEqual({ refund: 2140, capped: true });
    expect(applyCeiling(2140, 2140)).toEqual({ refund: 2140, capped: false });
    expect(applyCeiling(2139, 2140)).toEqual({ refund: 2139, capped: false });
    expect(applyCeiling(13900, 7660)).toEqual({ refund: 7660, capped: true });
    expect(applyCeiling(99999, null)).toEqual({ refund: 99999, capped: false });
  });

  it('the rate in force is the latest on or before the day; before the first, the first', () => {
    const rates = [{ valid_from: '2026-01-01', v: 1 }, { valid_from: '2027-01-01', v: 2 }, { valid_from: '2026-07-01', v: 3 }];
    expect(rateOn(rates, '2026-06-30')?.v).toBe(1);
    expect(rateOn(rates, '2026-07-01')?.v).toBe(3);
    expect(rateOn(rates, '2027-03-01')?.v).toBe(2);
    expect(rateOn(rates, '2025-12-31')?.v).toBe(1);
    expect(rateOn([], '2026-01-01')).toBeUndefined();
  });

  it('euros typed the French way', () => {
    expect(parseEuros('12,50')).toBe(1250);
    expect(parseEuros('1 234,5 €')).toBe(123450);
    expect(parseEuros('0')).toBe(0);
    expect(parseEuros('-3')).toBe(-300);
    expect(parseEuros('12,345')).toBeNaN();
    expect(parseEuros('douze')).toBeNaN();
  });

  it('the admin form’s scale lines read back to the same scale', () => {
    const text = scaleLines(SCALE);
    expect(text.split('\n')[0]).toBe('3 | 0,529 | 0,316 + 1065 | 0,37');
    expect(text.split('\n')[4]).toBe('7+ | 0,697 | 0,394 + 1515 | 0,47');
    expect(parseScaleLines(text, 20)).toEqual(SCALE);
    expect(parseScaleLines('3 | 0,529 | 0,316 + 1065', 20)).toEqual({ error: 'expenses.rates.scale_invalid' });
    expect(parseScaleLines('3 | 0,529 | 0,316 + 1065 | 0,37', 20)).toEqual({ error: 'expenses.rates.scale_last_open' });
    expect(parseScaleLines(text, 150)).toEqual({ error: 'expenses.rates.bonus_invalid' });
  });
});
