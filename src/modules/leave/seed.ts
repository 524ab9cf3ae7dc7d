// Demo data: two staff groups (head office on the general calendar in jours ouvrables, the Metz
// branch on the Alsace-Moselle calendar in jours ouvrés), dated CP and RTT accrual, every demo
// user in a group with a balance taken over from the "old software", and requests in every
// state going through the approval engine (manager, then HR).
import type { Actor } from '../../platform/audit/audit.js';
import { demoActor } from '../../platform/seed.js';
import type { ModuleContext } from '../../platform/module.js';
import { approve, getRequest, refuse, sendBack } from '../approvals/index.js';
import { periodOf } from './balance.js';
import * as config from './config.service.js';
import { addDays, todayInParis } from './dates.js';
import { weekdayOf } from './holidays.js';
import type { LeaveDb } from './leave.table.js';
import { cancelLeave, recordByHr, requestLeave, withdrawLeave } from './requests.service.js';

export async function seedLeave(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: LeaveDb = ctx.db;
  const users = await db.selectFrom('users').select(['id', 'email', 'manager_id']).execute();
  const id = (email: string) => users.find((u) => u.email === email)?.id;
  const actorOf = (email: string) => demoActor(db, email);
  const [hr, manager] = [await actorOf('rh@demo.cci.fr'), await actorOf('manager@demo.cci.fr')];
  if (!hr || !manager) return;
  // The approval route starts with the requester's manager: the demo's team has one.
  for (const email of ['collaborateur@demo.cci.fr', 'conseiller@demo.cci.fr', 'documentation@demo.cci.fr', 'formation@demo.cci.fr', 'redacteur@demo.cci.fr']) {
    const u = users.find((x) => x.email === email);
    if (u && u.manager_id === null) await db.updateTable('users').set({ manager_id: manager.id! }).where('id', '=', u.id).execute();
  }
  const tx = <T>(fn: (trx: LeaveDb) => Promise<T>) => db.transaction().execute(fn);
  const today = todayInParis();
  const head = await tx((trx) => config.createGroup(trx, hr, { name: 'Siège (jours ouvrables)', unit: 'ouvrables', calendar: 'general' }));
  const metz = await tx((trx) => config.createGroup(trx, hr, { name: 'Antenne de Metz (jours ouvrés)', unit: 'ouvres', calendar: 'alsace-moselle' }));
  for (const [group, cp] of [[head.id, '2,5'], [metz.id, '2,08']] as const) {
    await tx((trx) => config.addAccrualRule(trx, hr, { group_id: String(group), kind: 'CP', valid_from: '2020-01', per_month: cp, carry_over_max: '5' }));
    await tx((trx) => config.addAccrualRule(trx, hr, { group_id: String(group), kind: 'RTT', valid_from: '2020-01', per_month: '1', carry_over_max: '0' }));
  }
  const since = addDays(periodOf(today, 6), -365);
  for (const u of users) {
    const group = u.email === 'formation@demo.cci.fr' ? metz.id : head.id;
    await tx((trx) => config.setMember(trx, hr, { user_id: String(u.id), group_id: String(group), non_working_days: u.email === 'collaborateur@demo.cci.fr' ? ['3'] : [], starts_on: since }));
    await tx((trx) => config.addAdjustment(trx, hr, { user_id: String(u.id), kind: 'CP', date: today, days: '10', reason: 'Reprise du solde de l’ancien logiciel' }));
  }
  // Whole weeks from the Monday after next: a week always counts at least one day.
  const monday = addDays(today, ((8 - weekdayOf(today)) % 7 || 7) + 7);
  const week = (n: number, days = 5) => ({ start: addDays(monday, 7 * n), end: addDays(monday, 7 * n + days - 1) });
  let made = 0;
  const file = async (email: string, kind: string, dates: { start: string; end: string }, then?: (approvalId: number, leaveId: number, who: Actor) => Promise<void>) => {
    const who = await actorOf(email);
    if (!who) return;
    try {
      const row = await tx((trx) => requestLeave(trx, who, { kind, start: dates.start, startHalf: '', end: dates.end, endHalf: '', comment: '' }));
      if (then && row.approval_id) await then(row.approval_id, row.id, who);
      made++;
    } catch (e) {
      log(`Leave: a demo request of ${email} was not filed (${(e as Error).message}).`);
    }
  };
  const decide = (actor: Actor, fn: typeof approve) => async (approvalId: number) => {
    const v = (await getRequest(db, actor, approvalId)).request.version;
    await tx((trx) => fn(trx, actor, approvalId, v));
  };
  const approveBoth = async (approvalId: number) => {
    await decide(manager, approve)(approvalId);
    await decide(hr, approve)(approvalId);
  };
  await file('collaborateur@demo.cci.fr', 'CP', week(0), approveBoth); // approved
  await file('collaborateur@demo.cci.fr', 'RTT', week(2, 1)); // pending at the manager
  await file('conseiller@demo.cci.fr', 'CP', week(1), (a) => decide(manager, approve)(a)); // pending at HR
  await file('conseiller@demo.cci.fr', 'CP', week(4, 2), async (a) => {
    const v = (await getRequest(db, manager, a)).request.version;
    await tx((trx) => refuse(trx, manager, a, v, 'Salon régional ces jours-là : décalez d’une semaine, s’il vous plaît.'));
  }); // refused
  await file('documentation@demo.cci.fr', 'CP', week(3, 3), async (a) => {
    const v = (await getRequest(db, manager, a)).request.version;
    await tx((trx) => sendBack(trx, manager, a, v, 'Pouvez-vous commencer le mardi ? Le lundi, comité de rédaction.'));
  }); // sent back for changes
  await file('formation@demo.cci.fr', 'AUT', week(2, 1), async (_a, leaveId, who) => {
    await tx((trx) => withdrawLeave(trx, who, leaveId));
  }); // withdrawn
  await file('redacteur@demo.cci.fr', 'CP', week(5), async (a, leaveId, who) => {
    await approveBoth(a);
    await tx((trx) => cancelLeave(trx, who, leaveId, 'Projet décalé'));
  }); // cancelled
  const redacteur = id('redacteur@demo.cci.fr');
  if (redacteur) {
    await tx((trx) => recordByHr(trx, hr, redacteur, { kind: 'MAL', start: addDays(today, -2), startHalf: '', end: addDays(today, 1), endHalf: '', comment: '' }));
    made++;
  }
  log(`Leave: 2 staff groups, CP/RTT accrual, balances of every demo user, ${made} requests (approved, pending at each step, refused, sent back, withdrawn, cancelled, sick leave recorded by HR).`);
}
