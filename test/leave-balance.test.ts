// Balances, pure: monthly accrual from dated rules, the reference period, carry-over and its cap,
// adjustments, taken and pending days.
import { describe, expect, it } from 'vitest';
import { balanceFor, periodEndOf, periodOf, type BalanceInput } from '../src/modules/leave/balance.js';

const cp = (over: Partial<BalanceInput> = {}): BalanceInput => ({ periodStartMonth: 6, accrualStart: '2025-06-01', rules: [{ valid_from: '2020-01-01', per_month: 2.5, carry_over_max: null }], held: [], adjustments: [], ...over });

describe('balances', () => {
  it('reference periods: 1 June–31 May for CP, the calendar year for RTT', () => {
    expect(periodOf('2026-05-31', 6)).toBe('2025-06-01');
    expect(periodOf('2026-06-01', 6)).toBe('2026-06-01');
    expect(periodEndOf('2026-06-01')).toBe('2027-05-31');
    expect(periodOf('2026-12-31', 1)).toBe('2026-01-01');
    expect(periodEndOf('2028-03-01')).toBe('2029-02-28');
  });

  it('2.5 days a month, credited on the 1st, from the month accrual starts; 30 over a full period', () => {
    expect(balanceFor(cp(), '2025-06-01', '2025-06-01')).toMatchObject({ accrued: 2.5, available: 2.5, accruedFullPeriod: 30 });
    expect(balanceFor(cp(), '2025-06-01', '2025-12-15')).toMatchObject({ accrued: 17.5 });
    expect(balanceFor(cp(), '2025-06-01', '2027-01-01')).toMatchObject({ accrued: 30 }); // capped at the period's end
    // hired in September: June–August give nothing
    expect(balanceFor(cp({ accrualStart: '2025-09-20' }), '2025-06-01', '2026-05-01')).toMatchObject({ accrued: 22.5, accruedFullPeriod: 22.5 });
  });

  it('dated rules: a new rate applies from its month, earlier months keep theirs', () => {
    const rules = [
      { valid_from: '2020-01-01', per_month: 2.5, carry_over_max: null },
      { valid_from: '2026-01-01', per_month: 2.08, carry_over_max: null },
    ];
    // June–December 2025 at 2.5 (7 months), January–May 2026 at 2.08 (5 months)
    expect(balanceFor(cp({ rules }), '2025-06-01', '2026-05-01').accrued).toBe(Math.round((7 * 2.5 + 5 * 2.08) * 100) / 100);
  });

  it('taken, pending and adjustments; what is left carries over, capped by the rule in force', () => {
    const held = [
      { period_start: '2025-06-01', days: 20, taken: true },
      { period_start: '2026-06-01', days: 3, taken: true },
      { period_start: '2026-06-01', days: 1.5, taken: false },
    ];
    const adjustments = [{ period_start: '2025-06-01', days: 2 }];
    const b = balanceFor(cp({ held, adjustments }), '2026-06-01', '2026-07-10');
    // 2025–26: 30 + 2 − 20 = 12 left, all carried
    expect(b).toMatchObject({ carried: 12, accrued: 5, adjusted: 0, taken: 3, pending: 1.5, available: 12.5 });
    const capped = balanceFor(cp({ held, adjustments, rules: [{ valid_from: '2020-01-01', per_month: 2.5, carry_over_max: 5 }] }), '2026-06-01', '2026-07-10');
    expect(capped).toMatchObject({ carried: 5, available: 5.5 });
    // a debt always passes whole
    const debt = balanceFor(cp({ held: [{ period_start: '2025-06-01', days: 33, taken: true }], rules: [{ valid_from: '2020-01-01', per_month: 2.5, carry_over_max: 0 }] }), '2026-06-01', '2026-06-01');
    expect(debt).toMatchObject({ carried: -3, available: -0.5 });
  });
});
