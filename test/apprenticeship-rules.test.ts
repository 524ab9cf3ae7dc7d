// Unit vectors of the apprenticeship-tax rules (pure: no database): every CSA band edge
// (249/250 employees; 1 %, 2 %, 3 %, 5 % work-study ratio; 1,999/2,000 employees), Alsace-Moselle,
// both regimes, rounding to the euro at the end only.
import { describe, expect, it } from 'vitest';
import { checkTaxInput, parseDecimal } from '../src/modules/apprenticeship/quote.service.js';
import { computeTax, csaRate, DEFAULT_RATE_SETS, isAlsaceMoselle, pledgeCents, rateSetFor, toEuros, type TaxInput } from '../src/modules/apprenticeship/rules.js';
import { parseDsnCsv } from '../src/modules/apprenticeship/member.service.js';

const since2022 = rateSetFor(DEFAULT_RATE_SETS, 2026)!;
const octa = rateSetFor(DEFAULT_RATE_SETS, 2016)!;
const csa = DEFAULT_RATE_SETS[0].rates.csa;
const input = (employees: number, workStudy: number, extra: Partial<TaxInput> = {}): TaxInput => ({ year: 2026, payrollCents: 100_000_000, employees100: employees * 100, workStudy100: workStudy * 100, alsaceMoselle: false, ...extra });

describe('since 2022', () => {
  it('answers the contract example: 1,000,000 € payroll, 300 employees, 2 work-study', () => {
    const r = computeTax(since2022, input(300, 2));
    expect({ main: r.main, solde: r.solde, csa: r.csa, total: r.total }).toEqual({ main: 5900, solde: 900, csa: 4000, total: 10800 });
  });

  it('owes no CSA under 250 employees, at 249; owes it from 250', () => {
    expect(computeTax(since2022, input(249, 0)).csa).toBe(0);
    expect(computeTax(since2022, input(250, 0)).csa).toBe(4000);
  });

  it('changes band exactly at 1 %, 2 %, 3 % and 5 % of work-study staff', () => {
    // 1,000 employees: 9.99 → 0.4 %, 10 → 0.2 %; 19.99 → 0.2 %, 20 → 0.1 %; 29.99 → 0.1 %, 30 → 0.05 %; 49.99 → 0.05 %, 50 → none
    const at = (ws100: number) => csaRate(csa, 100_000, ws100, false);
    expect([at(999), at(1000), at(1999), at(2000), at(2999), at(3000), at(4999), at(5000)]).toEqual([4000, 2000, 2000, 1000, 1000, 500, 500, 0]);
  });

  it('takes 0.6 % under 1 % from 2,000 employees, 0.4 % at 1,999; other bands unchanged', () => {
    expect(csaRate(csa, 199_900, 0, false)).toBe(4000);
    expect(csaRate(csa, 200_000, 0, false)).toBe(6000);
    expect(csaRate(csa, 200_000, 2000, false)).toBe(2000); // 20 of 2,000 = 1 %
  });

  it('Alsace-Moselle: 0.44 %, no solde, its own CSA rates at each band', () => {
    const r = computeTax(since2022, input(300, 2, { alsaceMoselle: true }));
    expect({ main: r.main, solde: r.solde, csa: r.csa, total: r.total }).toEqual({ main: 4400, solde: 0, csa: 2080, total: 6480 });
    const at = (emp: number, ws100: number) => csaRate(csa, emp * 100, ws100, true);
    expect([at(2000, 0), at(1000, 0), at(1000, 1000), at(1000, 2000), at(1000, 3000), at(1000, 5000)]).toEqual([3120, 2080, 1040, 520, 260, 0]);
    expect(isAlsaceMoselle('57') && isAlsaceMoselle('67') && isAlsaceMoselle('68')).toBe(true);
    expect(isAlsaceMoselle('69') || isAlsaceMoselle(null)).toBe(false);
  });

  it('rounds each amount to the euro once, from cents (half up)', () => {
    // 12,345.67 €: main 0.59 % = 72.839453 € → 72.84 € → 73; solde 0.09 % = 11.11 € → 11
    const r = computeTax(since2022, { year: 2026, payrollCents: 1_234_567, employees100: 1000, workStudy100: 0, alsaceMoselle: false });
    expect([r.mainCents, r.soldeCents, r.csaCents]).toEqual([7284, 1111, 0]);
    expect([r.main, r.solde, r.total]).toEqual([73, 11, 84]);
    expect(toEuros(150)).toBe(2);
    expect(toEuros(149)).toBe(1);
  });

  it('stays exact on a large payroll (BigInt products)', () => {
    const r = computeTax(since2022, { year: 2026, payrollCents: 9_999_999_999_999, employees100: 500_000, workStudy100: 0, alsaceMoselle: false });
    expect(r.mainCents).toBe(59_000_000_000); // 0.59 % of 99,999,999,999.99 €, to the cent
    expect(r.csaCents).toBe(60_000_000_000);
  });
});

describe('2014–2019 (OCTA)', () => {
  it('splits 0.68 % into regional 51 %, quota 26 %, hors-quota 23 %', () => {
    const r = computeTax(octa, input(100, 0, { year: 2016 }));
    expect(r.regime).toBe('octa2014');
    expect(r.parts).toEqual({ regionalCents: 346_800, quotaCents: 176_800, horsQuotaCents: 156_400 });
    expect([r.main, r.solde, r.csa, r.total]).toEqual([5236, 1564, 0, 6800]);
  });

  it('Alsace-Moselle: 0.44 %, regional 51 % and quota 49 %, no hors-quota', () => {
    const r = computeTax(octa, input(100, 0, { year: 2016, alsaceMoselle: true }));
    expect(r.parts).toEqual({ regionalCents: 224_400, quotaCents: 215_600, horsQuotaCents: 0 });
    expect(r.total).toBe(4400);
  });

  it('no rule set covers 2020 or 2021, nor years before 2014', () => {
    expect(rateSetFor(DEFAULT_RATE_SETS, 2020)).toBeUndefined();
    expect(rateSetFor(DEFAULT_RATE_SETS, 2021)).toBeUndefined();
    expect(rateSetFor(DEFAULT_RATE_SETS, 2013)).toBeUndefined();
  });
});

describe('input checks', () => {
  const today = new Date('2026-12-07T00:00:00Z');
  const fields = (raw: Record<string, unknown>) => {
    try {
      checkTaxInput(DEFAULT_RATE_SETS, raw, today);
      return {};
    } catch (e) {
      return (e as { fields: Record<string, string> }).fields;
    }
  };
  it('names each bad field', () => {
    expect(fields({ year: 2026, payroll: -1, employees: 10, workStudyEmployees: 0 })).toEqual({ payroll: 'apprenticeship.payroll_invalid' });
    expect(fields({ year: 2026, payroll: 1, employees: 10, workStudyEmployees: 11 })).toEqual({ workStudyEmployees: 'apprenticeship.work_study_over' });
    expect(fields({ year: 2021, payroll: 1, employees: 10, workStudyEmployees: 0 })).toEqual({ year: 'apprenticeship.year_unknown' });
    expect(fields({ year: 2028, payroll: 1, employees: 10, workStudyEmployees: 0 })).toEqual({ year: 'apprenticeship.year_unknown' });
    expect(fields({ year: 2027, payroll: 1, employees: 10, workStudyEmployees: 0, alsaceMoselle: 'yes' })).toEqual({ alsaceMoselle: 'apprenticeship.alsace_invalid' });
    expect(fields({ year: 2026, payroll: '1 000 000,50', employees: '12,5', workStudyEmployees: '0' })).toEqual({});
  });
  it('reads decimals exactly, refuses exponents and 3 decimals', () => {
    expect(parseDecimal(1000000, 2, 1e11)).toBe(100_000_000);
    expect(parseDecimal('0,1', 2, 10)).toBe(10);
    expect(parseDecimal(1e21, 2, 1e30)).toBeUndefined();
    expect(parseDecimal('1.234', 2, 10)).toBeUndefined();
    expect(parseDecimal(Number.NaN, 2, 10)).toBeUndefined();
  });
  it('a pledge is its share of the solde, to the cent', () => {
    expect(pledgeCents(90_000, 6000)).toBe(54_000);
    expect(pledgeCents(1_111, 3333)).toBe(370);
  });
});

describe('CSV of DSN totals', () => {
  it('adds payrolls and averages headcounts over the lines', () => {
    const csv = 'mois;masse_salariale;effectif;alternants\n2025-01;80000,50;300;2\n2025-02;90000;302;3\n';
    expect(parseDsnCsv(csv)).toEqual({ payroll: '170000.50', employees: '301.00', workStudyEmployees: '2.50' });
    expect(parseDsnCsv('payroll,employees,work_study\n1000,10,1\n')).toEqual({ payroll: '1000.00', employees: '10.00', workStudyEmployees: '1.00' });
  });
  it('refuses missing columns and bad values', () => {
    expect(() => parseDsnCsv('a;b\n1;2\n')).toThrow();
    expect(() => parseDsnCsv('masse_salariale;effectif;alternants\n-5;1;0\n')).toThrow();
    expect(() => parseDsnCsv('')).toThrow();
  });
});
