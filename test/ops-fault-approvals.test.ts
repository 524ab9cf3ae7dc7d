// Fault test (#20): kill -9 of the server in the middle of approval transitions. The real server
// runs in a child process; requesters file requests, managers approve or send back, two HR
// approvers race on the same step (one wins, the other gets 409), all at once over HTTP; the
// server is SIGKILLed with transitions in flight and started again. Then:
// - every request is consistent: its status, step, open seats, history and audit entries agree,
//   nothing half-written; every transition answered 302 before the kill is there;
// - the audit log is unbroken: the entries committed before the kill are unchanged and the
//   chained digest of the backup verifier walks the whole log;
// - a notification job exists exactly for each committed transition, and after the restart
//   every one of them has run, each mail queued once (Σ of the jobs' `sent` = the outbox);
// - work resumes by itself: queued jobs run, a job the dead process held is taken back, the
//   sessions still hold, and the transitions lost in flight can be done again.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { SYSTEM_ACTOR, type Actor } from '../src/platform/audit/audit.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { createUser, setManager } from '../src/platform/auth/users.js';
import { sqliteHandle } from '../src/platform/db/index.js';
import { STALE_MS } from '../src/platform/jobs/index.js';
import { auditDigest, type Raw } from '../src/platform/ops/inventory.js';
import type { ApprovalsDb } from '../src/modules/approvals/approvals.table.js';
import { approvalsModule } from '../src/modules/approvals/index.js';
import * as engine from '../src/modules/approvals/engine.service.js';
import { createType } from '../src/modules/approvals/types.service.js';
import { count, createTestApp, makeUser, onPostgres, testDatabase, type TestDatabase } from './helpers.js';
import { Browser, startServer, type ServerProcess } from './ops-helpers.js';

const PASSWORD = 'a long fault-test password';
const TYPE = 'opskill';
let tdb: TestDatabase;
let db: ApprovalsDb;
const emails = { hr: ['rh1@fault.test', 'rh2@fault.test'], managers: ['chef1@fault.test', 'chef2@fault.test'], staff: [] as string[] };
const ids = new Map<string, number>();

beforeAll(async () => {
  useFastHashingForTests();
  tdb = await testDatabase();
  db = tdb.db;
  const make = async (email: string, roles: string[]) => ids.set(email, (await createUser(db, SYSTEM_ACTOR, { email, name: email.split('@')[0], roles, password: PASSWORD })).id);
  for (const e of emails.hr) await make(e, ['hr']);
  for (const [m, e] of emails.managers.entries()) {
    await make(e, ['manager']);
    for (let i = 0; i < 3; i++) {
      const s = `agent${m}${i}@fault.test`;
      emails.staff.push(s);
      await make(s, ['staff']);
      await setManager(db, SYSTEM_ACTOR, ids.get(s)!, ids.get(e)!);
    }
  }
  const hr: Actor = { id: ids.get(emails.hr[0])!, label: emails.hr[0], kind: 'staff', roles: ['hr'], permissions: permissionsOf(['hr']) };
  await db.transaction().execute((trx) =>
    createType(trx, hr, {
      code: TYPE,
      name_fr: 'Demande (test de panne)',
      name_en: 'Request (fault test)',
      definition: {
        fields: [{ name: 'objet', label: { fr: 'Objet', en: 'Subject' }, kind: 'text', required: true, min: 3, max: 100 }],
        // Two HR holders on an "any" step: both get a mail, both may act, one wins.
        steps: [
          { id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] },
          { id: 'rh', mode: 'any', approvers: [{ kind: 'role', role: 'hr' }] },
        ],
        options: {},
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await tdb?.drop();
});

interface Sent {
  who: string;
  action: 'submit' | 'approve' | 'refuse' | 'send_back' | 'resubmit';
  requestId: number | null;
  status: number | 'lost';
}

/** One open seat of `approverId` at the current step of a pending request, with the request's version. */
async function workFor(approverId: number, step: number, limit = 4): Promise<{ id: number; version: number }[]> {
  return db
    .selectFrom('approval_requests as r')
    .innerJoin('approval_assignments as a', (j) => j.onRef('a.request_id', '=', 'r.id').onRef('a.round', '=', 'r.round').onRef('a.step_index', '=', 'r.step_index'))
    .select(['r.id', 'r.version'])
    .where('r.status', '=', 'pending')
    .where('r.step_index', '=', step)
    .where('a.state', '=', 'open')
    .where('a.approver_id', '=', approverId)
    .orderBy('r.id')
    .limit(limit)
    .execute();
}

/** Everything that must agree for each request; returns the disagreements (empty when consistent). */
async function inconsistencies(): Promise<string[]> {
  const issues: string[] = [];
  const requests = await db.selectFrom('approval_requests').selectAll().orderBy('id').execute();
  const history = await db.selectFrom('approval_history').selectAll().orderBy('id').execute();
  const seats = await db.selectFrom('approval_assignments').selectAll().execute();
  const audit = await db.selectFrom('audit_log').select(['entity_id', 'action']).where('entity', '=', 'approval_request').execute();
  const jobs = await db.selectFrom('jobs').select(['payload']).where('kind', '=', 'approvals.notify').execute();
  const group = <T, K>(rows: T[], key: (r: T) => K) => rows.reduce((m, r) => m.set(key(r), [...(m.get(key(r)) ?? []), r]), new Map<K, T[]>());
  const hBy = group(history, (h) => h.request_id);
  const sBy = group(seats, (s) => s.request_id);
  const aBy = group(audit, (a) => Number(a.entity_id));
  const jBy = group(
    jobs.map((j) => JSON.parse(j.payload) as { requestId: number; event: string }),
    (j) => j.requestId,
  );
  const tally = (xs: string[]) => JSON.stringify(xs.sort());
  for (const r of requests) {
    const h = hBy.get(r.id) ?? [];
    const s = sBy.get(r.id) ?? [];
    const where = `request ${r.id} (${r.status}, step ${r.step_index}, round ${r.round})`;
    // History: a chain of statuses ending at the request's own.
    let status: string | null = null;
    for (const row of h) {
      if (row.from_status !== null && row.from_status !== status) issues.push(`${where}: history #${row.id} ${row.action} from ${row.from_status}, was ${status}`);
      status = row.to_status;
    }
    if (status !== r.status) issues.push(`${where}: history ends at ${status}`);
    // Seats: open exactly on the current step of a pending request.
    const open = s.filter((x) => x.state === 'open');
    if (r.status === 'pending') {
      if (r.step_index === null) issues.push(`${where}: pending without a step`);
      if (!open.length) issues.push(`${where}: pending with no open seat`);
      if (open.some((x) => x.round !== r.round || x.step_index !== r.step_index || x.phase !== r.phase)) issues.push(`${where}: a seat open elsewhere`);
      const lastOpened = [...h].reverse().find((x) => x.action === 'step_opened');
      if (lastOpened?.step_index !== r.step_index) issues.push(`${where}: last step opened ${lastOpened?.step_index}`);
      if (s.filter((x) => x.round === r.round && x.step_index === r.step_index).length !== emailsAt(r.step_index)) issues.push(`${where}: ${s.length} seats on the current step`);
    } else {
      if (open.length) issues.push(`${where}: ${open.length} seats open`);
      if (r.step_index !== null) issues.push(`${where}: a step index when not pending`);
    }
    // History and audit: the same transitions (the engine's "step opened" is history only, "create" audit only).
    const a = aBy.get(r.id) ?? [];
    if (a.filter((x) => x.action === 'create').length !== 1) issues.push(`${where}: ${a.filter((x) => x.action === 'create').length} create entries`);
    const ha = tally(h.filter((x) => x.action !== 'step_opened').map((x) => x.action));
    const aa = tally(a.filter((x) => x.action !== 'create').map((x) => x.action));
    if (ha !== aa) issues.push(`${where}: history ${ha} ≠ audit ${aa}`);
    // A notification job for each committed transition that sends one, none for any other.
    const j = jBy.get(r.id) ?? [];
    const opened = h.filter((x) => x.action === 'step_opened').length;
    const decided = h.filter((x) => ['approved', 'refuse', 'send_back', 'cancelled', 'cancellation_refused'].includes(x.action)).length;
    if (j.filter((x) => x.event === 'step_opened').length !== opened) issues.push(`${where}: ${j.filter((x) => x.event === 'step_opened').length} step jobs for ${opened} steps opened`);
    if (j.filter((x) => x.event === 'decided').length !== decided) issues.push(`${where}: ${j.filter((x) => x.event === 'decided').length} decision jobs for ${decided} decisions`);
  }
  // No history, seat or job of a request that does not exist (a request insert rolled back).
  const known = new Set(requests.map((r) => r.id));
  for (const id of [...hBy.keys(), ...sBy.keys(), ...jBy.keys()]) if (!known.has(id)) issues.push(`rows of an unknown request ${id}`);
  return issues;
}

/** Seats a step gets: the manager alone, or both HR holders. */
function emailsAt(step: number | null): number {
  return step === 0 ? 1 : emails.hr.length;
}

async function withRaw<T>(fn: (raw: Raw) => Promise<T>): Promise<T> {
  if (!onPostgres) return fn({ kind: 'sqlite', db: sqliteHandle(db) });
  const client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  try {
    return await fn({ kind: 'postgres', client });
  } finally {
    await client.end();
  }
}

/** Drives the transitions from every account at once until `stop()`; each request is recorded with its answer. */
function drive(browsers: Map<string, Browser>, sent: Sent[]) {
  let stopping = false;
  const byEmail = (e: string) => browsers.get(e)!;
  const once = async (who: string, action: Sent['action'], url: string, form: Record<string, string>, requestId: number | null) => {
    const entry: Sent = { who, action, requestId, status: 'lost' };
    sent.push(entry);
    try {
      const r = await byEmail(who).request('POST', url, form);
      entry.status = r.status;
      if (action === 'submit' && r.location) entry.requestId = Number(r.location.split('/').pop());
    } catch {
      entry.status = 'lost';
      stopping = true;
    }
  };
  const requester = async (who: string, n: number) => {
    for (let k = 0; !stopping; k++) {
      const back = await db.selectFrom('approval_requests').select(['id', 'version']).where('requester_id', '=', ids.get(who)!).where('status', '=', 'changes_requested').executeTakeFirst();
      if (back) await once(who, 'resubmit', `/demandes/${back.id}/soumettre`, { version: String(back.version) }, back.id);
      else await once(who, 'submit', `/demandes/nouvelle/${TYPE}`, { objet: `Objet ${n}-${k}`, _title: `Demande ${n}-${k}`, _submit: '1' }, null);
    }
  };
  const approver = async (who: string, step: number, n: number) => {
    for (let k = 0; !stopping; k++) {
      const work = await workFor(ids.get(who)!, step);
      if (!work.length) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      // Both HR approvers take the oldest first: they race on the same request.
      const w = work[step === 0 ? k % work.length : 0];
      const decision = k % 7 === 3 ? (step === 0 ? 'send_back' : 'refuse') : 'approve';
      await once(who, decision, `/demandes/${w.id}/decider`, { decision, version: String(w.version), ...(decision === 'approve' ? {} : { comment: `Motif ${n}-${k}` }) }, w.id);
    }
  };
  const all = [
    ...emails.staff.map((e, n) => requester(e, n)),
    ...emails.managers.map((e, n) => approver(e, 0, n)),
    ...emails.hr.map((e, n) => approver(e, 1, n)),
  ];
  return { stop: () => (stopping = true), done: Promise.all(all) };
}

it('kill -9 during approval transitions: nothing half-written, the audit log unbroken, mails once, work resumes', { timeout: 180_000 }, async () => {
  const t0 = Date.now();
  const lap = (what: string) => console.info(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  let server: ServerProcess = await startServer(tdb);
  lap('started');
  const browsers = new Map<string, Browser>();
  for (const e of [...emails.staff, ...emails.managers, ...emails.hr]) {
    const b = new Browser(server.base);
    await b.signIn(e, PASSWORD);
    browsers.set(e, b);
  }
  lap('signed in');
  const sent: Sent[] = [];
  const traffic = drive(browsers, sent);
  // Kill once enough transitions went through both steps, with one request in flight per account.
  await new Promise<void>((resolve, reject) => {
    const end = Date.now() + 60_000;
    const check = async () => {
      const approved = await db.selectFrom('approval_requests').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['approved', 'refused']).executeTakeFirstOrThrow();
      if (Number(approved.n) >= 8 && sent.filter((s) => s.status === 302).length >= 60) return resolve();
      if (Date.now() > end) return reject(new Error(`not enough traffic: ${sent.length} sent, ${JSON.stringify(sent.slice(-3))}`));
      setTimeout(check, 50);
    };
    void check();
  });
  server.child.kill('SIGKILL');
  await server.exited;
  lap('killed');
  traffic.stop();
  await traffic.done;

  const answered = sent.filter((s) => s.status !== 'lost');
  // Before the kill: successes and lost races, never an error.
  const errors = answered.filter((s) => typeof s.status === 'number' && s.status >= 500);
  expect(errors, errors.length ? server.output().slice(-6000) : '').toEqual([]);
  expect(answered.filter((s) => s.status !== 302 && s.status !== 409)).toEqual([]);
  const lost = sent.filter((s) => s.status === 'lost');
  expect(lost.length).toBeGreaterThan(0); // transitions were in flight

  // 1. Consistent at the crash, and everything acknowledged is there.
  expect(await inconsistencies()).toEqual([]);
  for (const s of answered.filter((x) => x.status === 302 && x.action !== 'submit')) {
    const action = s.action === 'resubmit' ? 'resubmit' : s.action;
    const h = await db.selectFrom('approval_history').select('id').where('request_id', '=', s.requestId!).where('action', '=', action).where('actor_id', '=', ids.get(s.who)!).execute();
    expect(h.length, `${s.who} ${s.action} on ${s.requestId}`).toBeGreaterThan(0);
  }
  const filed = answered.filter((x) => x.status === 302 && x.action === 'submit').map((x) => x.requestId!);
  expect(await db.selectFrom('approval_requests').select('id').where('id', 'in', filed).execute()).toHaveLength(filed.length);

  // 2. The audit log as the crash left it; the verifier's chain walks it.
  const auditAtCrash = await db.selectFrom('audit_log').selectAll().orderBy('id').execute();
  const digestAtCrash = await withRaw(auditDigest);
  expect(digestAtCrash.rows).toBe(auditAtCrash.length);

  // 3. Restart. A notification job the dead process held stays "running" until its lock is
  // stale (STALE_MS): the time is moved on rather than waited for.
  const heldByTheDead = await db.selectFrom('jobs').select('id').where('status', '=', 'running').execute();
  if (heldByTheDead.length)
    await db
      .updateTable('jobs')
      .set({ locked_at: new Date(Date.now() - STALE_MS - 1000).toISOString() })
      .where('status', '=', 'running')
      .execute();
  server = await startServer(tdb);
  lap('restarted');
  for (const b of browsers.values()) b.base = server.base;
  try {
    await waitForNotifications();
    // Every notification ran once: its mails are the outbox, none twice, none missing.
    await expectMailsOfJobs();

    // 4. The sessions survived; the transitions lost in flight can be done now.
    for (const s of lost) {
      if (s.action === 'submit' || s.requestId === null) continue;
      const r = await db.selectFrom('approval_requests').select(['status', 'step_index', 'version']).where('id', '=', s.requestId).executeTakeFirstOrThrow();
      const stillOpen = s.action === 'resubmit' ? r.status === 'changes_requested' : (await workFor(ids.get(s.who)!, r.step_index ?? -1)).some((w) => w.id === s.requestId);
      if (!stillOpen) continue; // it committed before the kill
      const url = s.action === 'resubmit' ? `/demandes/${s.requestId}/soumettre` : `/demandes/${s.requestId}/decider`;
      const form: Record<string, string> = s.action === 'resubmit' ? { version: String(r.version) } : { decision: s.action, version: String(r.version), comment: 'Après redémarrage' };
      expect((await browsers.get(s.who)!.request('POST', url, form)).status, `${s.action} on ${s.requestId} again`).toBe(302);
    }
    lap('redone');
    // Then every request still waiting is taken to its end through the pages.
    for (let round = 0; round < 3; round++) {
      for (const [step, who] of [...emails.managers.map((m) => [0, m] as const), [1, emails.hr[0]] as const]) {
        for (const w of await workFor(ids.get(who)!, step, 1000)) {
          const res = await browsers.get(who)!.request('POST', `/demandes/${w.id}/decider`, { decision: 'approve', version: String(w.version) });
          expect(res.status).toBe(302);
        }
      }
    }
    expect(await db.selectFrom('approval_requests').select('id').where('status', '=', 'pending').execute()).toEqual([]);
    await waitForNotifications();
    await expectMailsOfJobs();
    expect(await inconsistencies()).toEqual([]);

    // The entries of before the crash are unchanged, and new ones follow them.
    const after = await db.selectFrom('audit_log').selectAll().where('id', '<=', digestAtCrash.lastId ?? 0).orderBy('id').execute();
    expect(after).toEqual(auditAtCrash);
    const digestAfter = await withRaw(auditDigest);
    expect(digestAfter.rows).toBeGreaterThan(digestAtCrash.rows);
    expect(server.output()).not.toContain('unhandled error');
    console.info(`approvals fault test (${onPostgres ? 'PostgreSQL' : 'SQLite'}): ${answered.length} answered before the kill (${answered.filter((s) => s.status === 409).length} × 409), ${lost.length} lost in flight, ${heldByTheDead.length} job(s) held by the dead process`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

async function waitForNotifications(): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const left = await db.selectFrom('jobs').select('status').where('kind', '=', 'approvals.notify').where('status', 'in', ['queued', 'running']).execute();
    if (!left.length) break;
    if (Date.now() > end) throw new Error(`${left.length} notification jobs still waiting`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const failed = await db.selectFrom('jobs').select(['id', 'last_error']).where('kind', '=', 'approvals.notify').where('status', '=', 'failed').execute();
  expect(failed).toEqual([]);
}

async function expectMailsOfJobs(): Promise<void> {
  const done = await db.selectFrom('jobs').select('result').where('kind', '=', 'approvals.notify').where('status', '=', 'done').execute();
  const sentByJobs = done.reduce((n, j) => n + Number((JSON.parse(j.result ?? '{}') as { sent?: number }).sent ?? 0), 0);
  const outbox = await db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  expect(Number(outbox.n)).toBe(sentByJobs);
}

// The two defects the kill test surfaced in the notification job, made deterministic.
describe('approvals.notify after a crash', () => {
  it('a job taken back after its mails committed (the process died before marking it done) queues nothing more; a step that closed before its job ran gets no mail', async () => {
    const t = await createTestApp({ modules: [approvalsModule] });
    try {
      const hrs = [await makeUser(t.db, ['hr']), await makeUser(t.db, ['hr'])];
      const boss = await makeUser(t.db, ['manager']);
      const staff = await makeUser(t.db, ['staff']);
      await setManager(t.db, SYSTEM_ACTOR, staff.id, boss.id);
      const actor = (u: { id: number; email: string }, roles: string[]): Actor => ({ id: u.id, label: u.email, kind: 'staff', roles, permissions: permissionsOf(roles) });
      const adb: ApprovalsDb = t.db;
      await adb.transaction().execute((trx) =>
        createType(trx, actor(hrs[0], ['hr']), {
          code: 'crash',
          name_fr: 'Panne',
          name_en: 'Crash',
          definition: { fields: [{ name: 'objet', label: { fr: 'Objet', en: 'Subject' }, kind: 'text', required: true }], steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }, { id: 'rh', mode: 'any', approvers: [{ kind: 'role', role: 'hr' }] }], options: {} },
        }),
      );
      const r = await adb.transaction().execute((trx) => engine.fileFromForm(trx, actor(staff, ['staff']), 'crash', { objet: 'Un objet' }, true));
      // The manager approves before the step's mail left: that job will find its step closed.
      await adb.transaction().execute((trx) => engine.act(trx, actor(boss, ['manager']), r.id, r.version, 'approve'));
      await t.app.jobs.tick();
      const jobs = await adb.selectFrom('jobs').select(['id', 'status', 'result', 'payload']).where('kind', '=', 'approvals.notify').orderBy('id').execute();
      expect(jobs.map((j) => [JSON.parse(j.payload).step, j.status, JSON.parse(j.result ?? '{}').sent])).toEqual([
        [0, 'done', 0], // the manager's step had closed: no mail
        [1, 'done', 2], // both HR holders
      ]);
      expect(await count(t.db, 'mail_outbox')).toBe(2);
      // The process dies after the HR job's commit and before "done": the job is left running with
      // its result written; once its lock is stale any instance takes it back.
      await adb.updateTable('jobs').set({ status: 'running', locked_by: 'w-dead', locked_at: new Date(Date.now() - STALE_MS - 1000).toISOString() }).where('id', '=', jobs[1].id).execute();
      expect(await t.app.jobs.tick()).toBe(1);
      const again = await adb.selectFrom('jobs').select(['status', 'attempts', 'result']).where('id', '=', jobs[1].id).executeTakeFirstOrThrow();
      expect(again.status).toBe('done');
      expect(again.attempts).toBe(2);
      expect(JSON.parse(again.result ?? '{}')).toEqual({ sent: 2 });
      expect(await count(t.db, 'mail_outbox')).toBe(2);
    } finally {
      await t.close();
    }
  }, 30_000);
});
