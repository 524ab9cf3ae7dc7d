// Reports of the training centre: per session (fill rate, revenue invoiced net of credit notes,
// trainer cost, margin), hours per trainer, and the yearly BPF figures (bilan pédagogique et
// financier: trainees, hours-trainees, revenue by source, trainers' hours).
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { assertReports } from './policy.js';
import type { TrainingDb } from './training.table.js';

export interface SessionReportRow {
  id: number;
  title: string;
  start_date: string;
  kind: string;
  status: string;
  max_trainees: number;
  seated: number;
  fill: number;
  revenue_cents: number;
  cost_cents: number;
  margin_cents: number;
}

export async function sessionReport(db: TrainingDb, actor: Actor, year: string): Promise<SessionReportRow[]> {
  assertReports(actor);
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const sessions = await db.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id').select(['s.id', 'c.title', 's.start_date', 's.kind', 's.status', 's.max_trainees']).where('s.start_date', '>=', from).where('s.start_date', '<=', to).orderBy('s.start_date').orderBy('s.id').execute();
  const seated = await db.selectFrom('training_enrolments as e').innerJoin('training_sessions as s', 's.id', 'e.session_id').select(['e.session_id', (eb) => eb.fn.countAll().as('n')]).where('s.start_date', '>=', from).where('s.start_date', '<=', to).where('e.status', '=', 'confirmed').groupBy('e.session_id').execute();
  const revenue = await db
    .selectFrom('training_invoices as i')
    .innerJoin('training_sessions as s', 's.id', 'i.session_id')
    .select(['i.session_id', sql<number>`sum(case when i.kind = 'credit' then -i.net_cents else i.net_cents end)`.as('net')])
    .where('s.start_date', '>=', from)
    .where('s.start_date', '<=', to)
    .groupBy('i.session_id')
    .execute();
  const cost = await db.selectFrom('training_hours as h').innerJoin('training_sessions as s', 's.id', 'h.session_id').select(['h.session_id', (eb) => eb.fn.sum<number>('h.amount_cents').as('cost')]).where('s.start_date', '>=', from).where('s.start_date', '<=', to).groupBy('h.session_id').execute();
  const by = <T extends { session_id: number | null }>(rows: T[], id: number) => rows.find((r) => r.session_id === id);
  return sessions.map((s) => {
    const n = Number(by(seated, s.id)?.n ?? 0);
    const rev = Number(by(revenue, s.id)?.net ?? 0);
    const c = Number(by(cost, s.id)?.cost ?? 0);
    return { ...s, seated: n, fill: s.max_trainees ? n / s.max_trainees : 0, revenue_cents: rev, cost_cents: c, margin_cents: rev - c };
  });
}

export async function trainerHours(db: TrainingDb, actor: Actor, year: string) {
  assertReports(actor);
  const rows = await db
    .selectFrom('training_hours as h')
    .innerJoin('training_pay_months as m', 'm.id', 'h.pay_month_id')
    .innerJoin('training_trainers as t', 't.id', 'm.trainer_id')
    .select(['t.id', 't.name', 't.status', 'h.kind', (eb) => eb.fn.sum<number>('h.hours').as('hours'), (eb) => eb.fn.sum<number>('h.amount_cents').as('amount')])
    .where('m.month', '>=', `${year}-01`)
    .where('m.month', '<=', `${year}-12`)
    .groupBy(['t.id', 't.name', 't.status', 'h.kind'])
    .orderBy('t.name')
    .execute();
  const out = new Map<number, { id: number; name: string; status: string; face: number; prep: number; remote: number; amount_cents: number }>();
  for (const r of rows) {
    const x = out.get(r.id) ?? { id: r.id, name: r.name, status: r.status, face: 0, prep: 0, remote: 0, amount_cents: 0 };
    x[r.kind] += Number(r.hours);
    x.amount_cents += Number(r.amount);
    out.set(r.id, x);
  }
  return [...out.values()];
}

export interface Bpf {
  year: string;
  sessions: number;
  courses: number;
  trainees: number;
  traineeHours: number;
  revenue: { company: number; opco: number; person: number; total: number };
  trainerHours: { contract: number; salaried: number };
}

/** The yearly BPF figures: trainees who attended at least one half day in the year, their hours, revenue by who paid. */
export async function bpf(db: TrainingDb, actor: Actor, year: string): Promise<Bpf> {
  assertReports(actor);
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const attended = await db
    .selectFrom('training_attendance as a')
    .innerJoin('training_slots as s', 's.id', 'a.slot_id')
    .innerJoin('training_sessions as ss', 'ss.id', 's.session_id')
    .select([sql<number>`count(distinct a.enrolment_id)`.as('trainees'), sql<number>`coalesce(sum(s.hours), 0)`.as('hours'), sql<number>`count(distinct ss.id)`.as('sessions'), sql<number>`count(distinct ss.course_id)`.as('courses')])
    .where('a.enrolment_id', 'is not', null)
    .where('a.status', '=', 'present')
    .where('s.day', '>=', from)
    .where('s.day', '<=', to)
    .executeTakeFirstOrThrow();
  const revenue = await db
    .selectFrom('training_invoices')
    .select(['customer_kind', sql<number>`sum(case when kind = 'credit' then -net_cents else net_cents end)`.as('net')])
    .where('issued_on', '>=', from)
    .where('issued_on', '<=', to)
    .groupBy('customer_kind')
    .execute();
  const rev = (k: string) => Number(revenue.find((r) => r.customer_kind === k)?.net ?? 0);
  const hours = await db
    .selectFrom('training_hours as h')
    .innerJoin('training_pay_months as m', 'm.id', 'h.pay_month_id')
    .innerJoin('training_trainers as t', 't.id', 'm.trainer_id')
    .select(['t.status', (eb) => eb.fn.sum<number>('h.hours').as('hours')])
    .where('h.day', '>=', from)
    .where('h.day', '<=', to)
    .groupBy('t.status')
    .execute();
  const hr = (k: string) => Number(hours.find((r) => r.status === k)?.hours ?? 0);
  return {
    year,
    sessions: Number(attended.sessions),
    courses: Number(attended.courses),
    trainees: Number(attended.trainees),
    traineeHours: Number(attended.hours),
    revenue: { company: rev('company'), opco: rev('opco'), person: rev('person'), total: rev('company') + rev('opco') + rev('person') },
    trainerHours: { contract: hr('contract'), salaried: hr('salaried') },
  };
}
