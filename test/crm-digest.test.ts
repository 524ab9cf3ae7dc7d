// The daily digest of due and overdue tasks, received by a real SMTP server on loopback: the
// schedule plans one mail per adviser per day (never two), the mailer sends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayParis } from '../src/modules/crm/dates.js';
import { createTask } from '../src/modules/crm/task.service.js';
import { count, createTestApp, makeUser, type TestApp } from './helpers.js';
import { actorOf, company } from './crm-fixtures.js';
import { startSmtp, type Inbox } from './smtp.js';

let t: TestApp;
let inbox: Inbox;
beforeAll(async () => {
  inbox = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: inbox.url } });
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

/**
 * A moment when the digest may leave: a minute from now if that is past 07:00 in Paris, else
 * 07:30. Ahead of the clock, because the send jobs the tick queues are due at the real time of
 * queueing: with "now" itself they were not yet due and the test failed after 07:00 Paris.
 */
function digestTime(): Date {
  const soon = new Date(Date.now() + 60_000);
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hour12: false }).format(soon));
  if (hour >= 7) return soon;
  return new Date(soon.getTime() + (7 - hour) * 3600_000 + 30 * 60_000);
}

describe('daily digest', () => {
  it('mails each adviser their overdue and due tasks once a day, and nothing to those with nothing due', async () => {
    const at = digestTime();
    const today = todayParis(at);
    const c = await company(t.db, 'Fonderie Vulcain');
    const busy = await makeUser(t.db, ['adviser'], { name: 'Bruno Busy' });
    const idle = await makeUser(t.db, ['adviser'], { name: 'Ida Idle' });
    const a = actorOf(busy);
    const overdue = await createTask(t.db, a, { title: 'Relancer le devis', due: today, companyId: c }, today);
    await t.db.updateTable('crm_tasks').set({ due_date: addDays(today, -4) }).where('id', '=', overdue.id).execute();
    await createTask(t.db, a, { title: 'Appeler la gérante', due: today }, today);
    await createTask(t.db, a, { title: 'Pas encore', due: addDays(today, 5) }, today);
    await createTask(t.db, actorOf(idle), { title: 'Plus tard', due: addDays(today, 2) }, today);
    const done = await createTask(t.db, a, { title: 'Déjà fait', due: today }, today);
    await t.db.updateTable('crm_tasks').set({ done_at: new Date().toISOString() }).where('id', '=', done.id).execute();

    await t.app.jobs.tick(at);
    const [mail] = await inbox.waitFor(1);
    expect(mail.to && 'value' in mail.to ? mail.to.value[0].address : '').toBe(busy.email);
    expect(mail.subject).toBe('Consulaire — 2 tâche(s) à traiter');
    expect(mail.text).toContain('Bruno Busy');
    expect(mail.text).toContain('Relancer le devis (Fonderie Vulcain)');
    expect(mail.text).toContain('Appeler la gérante');
    expect(mail.text).not.toContain('Pas encore');
    expect(mail.text).not.toContain('Déjà fait');
    expect(mail.text!.indexOf('Relancer le devis')).toBeLessThan(mail.text!.indexOf('Appeler la gérante'));

    // The schedule fires every hour; the digest leaves once a day.
    await t.app.jobs.tick(new Date(at.getTime() + 3600_000));
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.messages).toHaveLength(1);
    expect(await count(t.db, 'mail_outbox', ['to_address', idle.email])).toBe(0);
    expect(await count(t.db, 'mail_outbox', ['status', 'sent'])).toBe(1);
  });
});
