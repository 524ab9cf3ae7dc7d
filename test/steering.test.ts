// Steering (#18): totals from the lines, stated totals flagged, payback and 3/5-year figures (pure);
// the master plan as written, the exact API contract, pages, per-role access and 422s (both DBs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { figuresOf, francsToCents } from '../src/modules/steering/figures.js';
import { MASTER_PLAN } from '../src/modules/steering/seed.js';
import { importHistoricScenario } from '../src/modules/steering/scenario.service.js';
import { agent, api, count, createTestApp, makeUser, type TestApp } from './helpers.js';

describe('figures (pure)', () => {
  it('totals come from the lines; a stated total that disagrees is flagged with the difference', () => {
    const f = figuresOf(
      [
        { kind: 'investment', amount_cents: 100_00, francs: null },
        { kind: 'investment', amount_cents: 50_00, francs: null },
        { kind: 'running', amount_cents: 20_00, francs: null },
        { kind: 'gain', amount_cents: 70_00, francs: null },
      ],
      { investment: 200_00, running: 20_00 },
    );
    expect(f.totals).toEqual({ investment: 150_00, running: 20_00, gain: 70_00 });
    expect(f.discrepancies).toEqual([{ kind: 'investment', stated: 200_00, computed: 150_00, difference: 50_00 }]);
    expect(f.yearlyNet).toBe(50_00);
    expect(f.paybackYears).toBe(3);
    expect(f.cost3).toBe(150_00 + 3 * 20_00);
    expect(f.cost5).toBe(150_00 + 5 * 20_00);
    expect(f.net3).toBe(3 * 70_00 - (150_00 + 3 * 20_00));
    expect(f.net5).toBe(5 * 70_00 - (150_00 + 5 * 20_00));
  });

  it('no payback when the gain does not cover the running cost', () => {
    const f = figuresOf([
      { kind: 'investment', amount_cents: 1000, francs: null },
      { kind: 'running', amount_cents: 500, francs: null },
      { kind: 'gain', amount_cents: 500, francs: null },
    ]);
    expect(f.paybackYears).toBeNull();
    expect(f.discrepancies).toEqual([]);
  });

  it('francs convert at 6.55957 and rounding line by line is not a discrepancy', () => {
    expect(francsToCents(6.55957)).toBe(100);
    expect(francsToCents(50_000)).toBe(762_245);
    const minimum = MASTER_PLAN[0];
    const lines = minimum.lines.map((l) => ({ kind: l.kind, amount_cents: francsToCents(l.francs), francs: l.francs }));
    const f = figuresOf(lines, { investment: francsToCents(115_000), running: francsToCents(150_000) });
    expect(f.francs).toEqual({ investment: 85_000, running: 150_000, gain: 98_000 });
    expect(f.discrepancies.map((d) => d.kind)).toEqual(['investment']);
    // the other two levels state totals that match their lines
    for (const level of MASTER_PLAN.slice(1)) {
      const ls = level.lines.map((l) => ({ kind: l.kind, amount_cents: francsToCents(l.francs), francs: l.francs }));
      expect(figuresOf(ls, { investment: francsToCents(level.stated.investment ?? 0), running: francsToCents(level.stated.running ?? 0) }).discrepancies).toEqual([]);
    }
  });
});

describe('steering (app)', () => {
  let t: TestApp;
  let direction: Awaited<ReturnType<typeof makeUser>>;
  beforeAll(async () => {
    t = await createTestApp();
    direction = await makeUser(t.db, ['direction']);
    for (const s of MASTER_PLAN) await importHistoricScenario(t.db, SYSTEM_ACTOR, s);
  });
  afterAll(async () => t?.close());

  it('GET /api/v1/steering/scenarios: the exact contract, euros, totals from the lines', async () => {
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, direction.id, { name: 'steering', scopes: ['steering:read'], days: 1 });
    const res = await api(t, 'GET', '/api/v1/steering/scenarios', token);
    expect(res.status).toBe(200);
    const list = res.json<{ id: number; name: string; lines: { label: string; kind: string; amount: number }[]; totals: { investment: number; running: number; gain: number }; discrepancies: { kind: string }[] }[]>();
    expect(list.map((s) => s.name)).toEqual(['Le minimum', 'Le souhaitable', 'L’innovant']);
    for (const s of list) {
      expect(typeof s.id).toBe('number');
      for (const l of s.lines) {
        expect(['investment', 'running', 'gain']).toContain(l.kind);
        expect(typeof l.label).toBe('string');
        expect(typeof l.amount).toBe('number');
      }
      for (const k of ['investment', 'running', 'gain'] as const) {
        const sum = s.lines.filter((l) => l.kind === k).reduce((a, l) => a + Math.round(l.amount * 100), 0) / 100;
        expect(s.totals[k]).toBeCloseTo(sum, 2);
      }
    }
    const [minimum, wanted, innovative] = list;
    expect(minimum.totals.investment).toBeCloseTo(85_000 / 6.55957, 1); // the lines, not the stated 115 KF
    expect(minimum.lines.find((l) => l.label.startsWith('Achat d’Exchange'))?.amount).toBe(7622.45);
    expect(minimum.discrepancies.map((d) => d.kind)).toEqual(['investment']);
    expect(wanted.totals.investment).toBeCloseTo(1_600_000 / 6.55957, 1);
    expect(wanted.discrepancies).toEqual([]);
    expect(innovative.totals.investment).toBeCloseTo(910_000 / 6.55957, 1);
    expect(innovative.totals.gain).toBeCloseTo(50_000 / 6.55957, 1);
    // no token, or a token without the scope
    expect((await api(t, 'GET', '/api/v1/steering/scenarios')).status).toBe(401);
    const other = await createApiToken(t.db, SYSTEM_ACTOR, direction.id, { name: 'x', scopes: ['leave:read'], days: 1 });
    expect((await api(t, 'GET', '/api/v1/steering/scenarios', other.token)).status).toBe(403);
  });

  it('the comparison page shows the computed totals, francs, and flags the first level', async () => {
    const a = agent(t);
    await a.signIn(direction.email);
    const page = await a.get('/pilotage');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Le souhaitable');
    expect(page.body).toContain('85'); // 85 000 F computed
    expect(page.body).toMatch(/Total annoncé erroné/);
    expect(page.body).toMatch(/115\s000\sF|115 000 F/);
    const minimumId = (await a.get('/pilotage')).body.match(/href="\/pilotage\/scenarios\/(\d+)"/)?.[1];
    const detail = await a.get(`/pilotage/scenarios/${minimumId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain('Hébergement de la messagerie');
    expect((await a.get('/pilotage/scenarios/999999')).status).toBe(404);
    expect((await a.get('/pilotage/scenarios/abc')).status).toBe(404);
  });

  it('the direction adds a scenario and a line (audited); bad input is a 422 naming the field, nothing saved', async () => {
    const a = agent(t);
    await a.signIn(direction.email);
    const before = await count(t.db, 'steering_scenarios');
    const bad = await a.post('/pilotage/scenarios', { name: '', statedInvestment: 'beaucoup' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('f-statedInvestment-error');
    expect(await count(t.db, 'steering_scenarios')).toBe(before);
    const ok = await a.post('/pilotage/scenarios', { name: 'Plateforme 2027', statedInvestment: '1000' });
    expect(ok.status).toBe(302);
    const id = Number(String(ok.headers.location).split('/').pop());
    const badLine = await a.post(`/pilotage/scenarios/${id}/lignes`, { label: 'Serveurs', kind: 'depense', amount: '-3' });
    expect(badLine.status).toBe(422);
    expect(badLine.body).toContain('f-kind-error');
    expect(await count(t.db, 'steering_lines', ['scenario_id', id])).toBe(0);
    expect((await a.post(`/pilotage/scenarios/${id}/lignes`, { label: 'Serveurs', kind: 'investment', amount: '1 250,50', category: 'Matériel' })).status).toBe(302);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, direction.id, { name: 'steering', scopes: ['steering:read'], days: 1 });
    const api1 = (await api(t, 'GET', '/api/v1/steering/scenarios', token)).json<{ id: number; totals: { investment: number }; discrepancies: { stated: number; computed: number }[] }[]>();
    const mine = api1.find((s) => s.id === id)!;
    expect(mine.totals.investment).toBe(1250.5);
    expect(mine.discrepancies).toEqual([{ kind: 'investment', stated: 1000, computed: 1250.5, difference: -250.5 }]);
    expect(await count(t.db, 'audit_log', ['entity', 'steering_line'])).toBe(1);
    const dup = await a.post('/pilotage/scenarios', { name: 'Plateforme 2027' });
    expect(dup.status).toBe(422);
  });

  it('action plan: project with a dependency and a milestone, the timeline and its table; decisions dated', async () => {
    const a = agent(t);
    await a.signIn(direction.email);
    const p1 = await a.post('/pilotage/projets', { name: 'Messagerie', status: 'done', start: '2026-01-05', end: '2026-03-31', planned: '10000', consumed: '9500' });
    expect(p1.status).toBe(302);
    const id1 = String(p1.headers.location).split('/').pop()!;
    const bad = await a.post('/pilotage/projets', { name: 'Intranet', status: 'running', start: '2026-04-01', end: '2026-03-01' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('f-end-error');
    const p2 = await a.post('/pilotage/projets', { name: 'Intranet', status: 'running', start: '2026-04-01', end: '2026-09-30', dependsOn: [id1] });
    const id2 = String(p2.headers.location).split('/').pop()!;
    expect((await a.post(`/pilotage/projets/${id2}/jalons`, { label: 'Lancement', due: '2026-06-15' })).status).toBe(302);
    expect((await a.post(`/pilotage/projets/${id2}/jalons`, { label: 'X', due: '2026-02-30' })).status).toBe(422);
    const plan = await a.get('/pilotage/plan');
    expect(plan.status).toBe(200);
    expect(plan.body).toContain('<svg');
    expect(plan.body).toContain('gantt-milestone');
    expect(plan.body).toMatch(/Intranet[\s\S]*Messagerie/);
    const project = await a.get(`/pilotage/projets/${id2}`);
    expect(project.body).toContain('Messagerie'); // depends on
    // progress with a stale version: 409, nothing changed
    expect((await a.post(`/pilotage/projets/${id2}/avancement`, { status: 'done', consumed: '12', version: '99' })).status).toBe(409);
    expect((await a.post(`/pilotage/projets/${id2}/avancement`, { status: 'done', consumed: '12', version: '1' })).status).toBe(302);
    expect((await a.post('/pilotage/decisions', { date: '2026-13-01', title: 'x' })).status).toBe(422);
    expect((await a.post('/pilotage/decisions', { date: '2026-05-04', title: 'Lancer l’Intranet', project: id2 })).status).toBe(302);
    const decisions = await a.get('/pilotage/decisions');
    expect(decisions.body).toContain('Lancer l’Intranet');
    expect(decisions.body).toContain('04/05/2026');
  });

  it('per role: a manager reads but may not change; staff and anonymous see nothing', async () => {
    const manager = agent(t);
    await manager.signIn((await makeUser(t.db, ['manager'])).email);
    expect((await manager.get('/pilotage')).status).toBe(200);
    expect((await manager.get('/pilotage')).body).not.toContain('action="/pilotage/scenarios"');
    const before = await count(t.db, 'steering_scenarios');
    expect((await manager.post('/pilotage/scenarios', { name: 'Sans droit' })).status).toBe(403);
    expect((await manager.post('/pilotage/decisions', { date: '2026-05-04', title: 'x' })).status).toBe(403);
    expect(await count(t.db, 'steering_scenarios')).toBe(before);
    const staff = agent(t);
    const staffUser = await makeUser(t.db, ['staff']);
    await staff.signIn(staffUser.email);
    expect((await staff.get('/pilotage')).status).toBe(403);
    expect((await staff.get('/pilotage/plan')).status).toBe(403);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, staffUser.id, { name: 's', scopes: ['leave:read'], days: 1 });
    expect((await api(t, 'GET', '/api/v1/steering/scenarios', token)).status).toBe(403);
    const anon = agent(t);
    expect((await anon.get('/pilotage')).status).toBe(302);
  });
});
