// Reminders before each SOLTéA window opens and closes: by e-mail to the contacts of the
// campaign's target companies (through the platform outbox, once per contact, window and kind:
// the unique key of apprenticeship_reminders), and on the extranet (member page banner).
// Each mail carries RFC 8058 one-click unsubscription (List-Unsubscribe with an https and a
// mailto URI, List-Unsubscribe-Post); the opt-out is the registry's one consent record
// (prospecting channel, setContactConsent), never a copy of it here.
import { createHmac } from 'node:crypto';
import { SYSTEM_ACTOR, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { notFound } from '../../platform/errors.js';
import type { Mailer } from '../../platform/mail/index.js';
import { safeEqual } from '../../platform/auth/secrets.js';
import { contactConsents, findContact, listContacts, setContactConsent } from '../registry/index.js';
import type { ApprenticeshipDb, Campaign, CampaignWindow, Template, TemplateCode } from './apprenticeship.table.js';
import { fillTemplate, listCampaigns, listTemplates, windowsOf } from './campaign.service.js';
import { addDays, todayParis } from './dates.js';

export interface ReminderDeps {
  mailer: Mailer;
  publicUrl: string;
  secret: string;
  /** the CCI's address for mailto unsubscription (the sender) */
  mailFrom: string;
}

// ——— the unsubscribe token: the contact id and its HMAC (no expiry: RFC 8058 links must keep working) ———

export function unsubscribeToken(secret: string, contactId: number): string {
  return `${contactId}.${createHmac('sha256', secret).update(`apprenticeship-unsubscribe:${contactId}`).digest('base64url').slice(0, 32)}`;
}

export function contactOfToken(secret: string, token: string): number | undefined {
  const m = /^(\d{1,9})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return undefined;
  const id = Number(m[1]);
  return safeEqual(unsubscribeToken(secret, id), token) ? id : undefined;
}

/** Which reminders are due on `today` for a window: before it opens, and before it closes. */
export function dueReminders(window: CampaignWindow, templates: readonly Template[], today: string): TemplateCode[] {
  const out: TemplateCode[] = [];
  for (const t of templates) {
    const event = t.code === 'before_open' ? window.opens_on : window.closes_on;
    const from = addDays(event, -t.days_before);
    const stillAhead = t.code === 'before_open' ? today < event : today <= event;
    if (today >= from && stillAhead) out.push(t.code);
  }
  return out;
}

function dateFr(iso: string): string {
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

/**
 * Sends the reminders due at `now` for every campaign: each contact of a target company with an
 * address and no prospecting refusal, once per window and kind (before the close, companies
 * that already confirmed their allocation are left alone). Returns the number queued.
 */
export async function sendDueReminders(db: ApprenticeshipDb, deps: ReminderDeps, now = new Date()): Promise<number> {
  const today = todayParis(now);
  const templates = await listTemplates(db);
  let queued = 0;
  for (const campaign of await listCampaigns(db)) {
    for (const window of await windowsOf(db, campaign.id)) {
      for (const code of dueReminders(window, templates, today)) {
        queued += await sendWindowReminders(db, deps, campaign, window, templates.find((t) => t.code === code)!);
      }
    }
  }
  return queued;
}

async function sendWindowReminders(db: ApprenticeshipDb, deps: ReminderDeps, campaign: Campaign, window: CampaignWindow, template: Template): Promise<number> {
  let queued = 0;
  let after = 0;
  const link = `${deps.publicUrl.replace(/\/$/, '')}/extranet/taxe-apprentissage`;
  for (;;) {
    let q = db
      .selectFrom('apprenticeship_targets as t')
      .select(['t.id', 't.company_id', 't.name'])
      .where('t.campaign_id', '=', campaign.id)
      .where('t.id', '>', after)
      .orderBy('t.id')
      .limit(200);
    if (template.code === 'before_close') {
      q = q.where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('apprenticeship_declarations as d').select('d.id').whereRef('d.company_id', '=', 't.company_id').where('d.campaign_id', '=', campaign.id).where('d.confirmed_at', 'is not', null))),
      );
    }
    const targets = await q.execute();
    if (!targets.length) break;
    after = targets[targets.length - 1].id;
    for (const target of targets) {
      const contacts = (await listContacts(db, target.company_id)).filter((c) => c.email);
      if (!contacts.length) continue;
      const consents = await contactConsents(db, contacts.map((c) => c.id));
      for (const c of contacts) {
        if (consents.get(c.id)?.prospecting.value === 'refused') continue;
        // The claim first (unique per contact, window and kind): a second run sends nothing.
        const claim = await db
          .insertInto('apprenticeship_reminders')
          .values({ window_id: window.id, code: template.code, contact_id: c.id, company_id: target.company_id, email: c.email!, sent_at: nowIso() })
          .onConflict((oc) => oc.columns(['window_id', 'code', 'contact_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!claim) continue;
        const values = { entreprise: target.name, annee: String(campaign.year), date: dateFr(template.code === 'before_open' ? window.opens_on : window.closes_on), lien: link };
        const token = unsubscribeToken(deps.secret, c.id);
        const https = `${deps.publicUrl.replace(/\/$/, '')}/api/v1/apprenticeship-tax/unsubscribe/${token}`;
        const page = `${deps.publicUrl.replace(/\/$/, '')}/taxe-apprentissage/desinscription/${token}`;
        const mailto = `mailto:${deps.mailFrom}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
        const text = `${fillTemplate(template.body, values)}\n\n--\nVous recevez ce message en tant que contact de ${target.name} auprès de la CCI. Pour ne plus recevoir ces rappels : ${page}`;
        const mailId = await deps.mailer.queue(db, {
          to: c.email!,
          subject: fillTemplate(template.subject, values).replace(/[\r\n]+/g, ' '),
          text,
          headers: { 'List-Unsubscribe': `<${https}>, <${mailto}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
        await db.updateTable('apprenticeship_reminders').set({ mail_id: mailId }).where('id', '=', claim.id).execute();
        queued++;
      }
    }
  }
  return queued;
}

/** The actor of an unsubscription: the person holding the link, recorded as such on the consent. */
function unsubscriber(contactId: number, ip?: string): Actor {
  return { ...SYSTEM_ACTOR, label: `lien de désinscription (taxe d’apprentissage), contact ${contactId}`, ip };
}

/**
 * One-click unsubscription: the contact's prospecting consent becomes "refused" on the
 * registry's record. Idempotent (a second call changes nothing). Unknown or forged token → 404.
 */
export async function unsubscribe(db: ApprenticeshipDb, secret: string, token: string, ip?: string): Promise<{ contactId: number; changed: boolean }> {
  const contactId = contactOfToken(secret, token);
  if (contactId === undefined || !(await findContact(db, contactId))) throw notFound('apprenticeship.unsubscribe_unknown');
  const changed = await setContactConsent(db, unsubscriber(contactId, ip), contactId, { prospecting: 'refused' }, { source: 'lien de désinscription' });
  return { contactId, changed: changed > 0 };
}

/** For the confirmation page: whether the token is valid, and the contact's address (masked). */
export async function unsubscribeTarget(db: ApprenticeshipDb, secret: string, token: string): Promise<{ contactId: number; email: string; refused: boolean }> {
  const contactId = contactOfToken(secret, token);
  const contact = contactId === undefined ? undefined : await findContact(db, contactId);
  if (!contact || contactId === undefined) throw notFound('apprenticeship.unsubscribe_unknown');
  const consent = (await contactConsents(db, [contactId])).get(contactId);
  const email = contact.email ?? '';
  const masked = email.replace(/^(.).*(@.*)$/, '$1…$2');
  return { contactId, email: masked, refused: consent?.prospecting.value === 'refused' };
}
