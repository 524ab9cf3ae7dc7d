// Messages (M9): conversations between staff, and between staff and member companies (from the
// extranet), with attachments, read marks, assignment to a colleague or a service, and
// notification e-mails that carry a link, never the content. See README.md.
import type { Actor } from '../../platform/audit/audit.js';
import type { Params } from '../../platform/i18n/index.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { demoActor } from '../../platform/seed.js';
import { DEMO_MEMBER_EMAIL, memberAccount } from '../extranet/index.js';
import { messagesMessages } from './messages.js';
import { messagesWebRoutes } from './messages.routes.js';
import * as svc from './messages.service.js';
import type { MessagesDb } from './messages.table.js';
import { companyPanel } from './panel.js';

/** The French catalogue, for the demo's notifications (written at seed time, with no reader). */
function translateDemo(key: string, params: Params = {}): string {
  const text = messagesMessages.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_m, k: string) => String(params[k] ?? ''));
}

export const messagesModule = defineModule({
  name: 'messages',
  messages: messagesMessages,
  nav: [
    { section: 'nav.section.messages', label: 'messages.nav.inbox', href: '/messages', permission: 'portal:use', order: 1 },
    // A member permission: a link of the extranet's member navigation (see MODULES.md).
    { section: 'nav.section.messages', label: 'messages.nav.member', href: '/extranet/messages', permission: 'member:use', order: 1 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, messagesWebRoutes),
  async todo(ctx, actor, t) {
    const { unread, unassigned } = await svc.unreadCount(ctx.db, actor);
    const items = [];
    if (unread) items.push({ label: t('messages.todo.unread', { count: unread }), href: '/messages?boite=all&non-lus=1' });
    if (unassigned) items.push({ label: t('messages.todo.unassigned', { count: unassigned }), href: '/messages?boite=unassigned' });
    return items;
  },
  panels: [companyPanel],
  // The member's follow-up lists the company's conversations (every member of the company sees them).
  memberTimeline: {
    count: (ctx, companyId) => svc.countCompanyThreads(ctx.db, companyId),
    async list(ctx, companyId, limit, t) {
      const rows = await svc.latestCompanyThreads(ctx.db, companyId, limit);
      return rows.map((r) => ({ kind: 'message', id: r.id, date: r.created_at, label: 'messages.timeline_label', title: r.subject, href: `/extranet/messages/${r.id}`, status: t(`messages.status.${r.status}`) }));
    },
  },
  async seedDemo(ctx, log) {
    const db: MessagesDb = ctx.db;
    // Demo notifications stay in the outbox (no SMTP in the demo), in French like the demo.
    const mail: svc.MailDeps = { mailer: ctx.mailer, publicUrl: ctx.config.publicUrl, t: translateDemo };
    const staff = async (email: string): Promise<svc.Reader | undefined> => {
      const actor = await demoActor(db, email);
      return actor ? { actor, name: actor.label } : undefined;
    };
    const [direction, manager, adviser] = await Promise.all([staff('direction@demo.cci.fr'), staff('manager@demo.cci.fr'), staff('conseiller@demo.cci.fr')]);
    if (!direction || !manager || !adviser) return;
    const ids = await db.selectFrom('users').select(['id', 'email']).execute();
    const id = (email: string) => ids.find((u) => u.email === email)?.id ?? 0;
    const tx = <T>(fn: (trx: MessagesDb) => Promise<T>) => db.transaction().execute(fn);
    const t1 = await tx((trx) => svc.startInternal(trx, direction, { subject: 'Préparation du comité de pilotage', body: 'Pouvez-vous me transmettre les chiffres des visites du trimestre avant jeudi ?', participantIds: [id('manager@demo.cci.fr'), id('conseiller@demo.cci.fr')], confidential: false }, [], mail));
    await tx((trx) => svc.reply(trx, manager, t1, 'Oui, je vous envoie le tableau demain matin.', [], mail));
    await tx((trx) => svc.startInternal(trx, direction, { subject: 'Entretien annuel — point confidentiel', body: 'Merci de garder ce sujet entre nous jusqu’à la décision.', participantIds: [id('rh@demo.cci.fr')], confidential: true }, [], mail));
    const member = await memberAccount(db, DEMO_MEMBER_EMAIL);
    const companyId = member?.companyIds[0];
    if (member && companyId !== undefined) {
      const actor: Actor = { id: null, label: `membre:${DEMO_MEMBER_EMAIL}`, kind: 'member', roles: ['administrator'], permissions: new Set(['member:use']), memberOf: { companyIds: member.companyIds, current: companyId } };
      const memberReader: svc.Reader = { actor, accountId: member.accountId, name: member.name };
      const t3 = await tx((trx) => svc.startWithCompany(trx, adviser, { companyId, subject: 'Suite à notre visite : pièces pour le dossier d’aide', body: 'Bonjour,\nComme convenu, pouvez-vous nous envoyer votre dernier bilan et le devis de la machine ?\nBien cordialement.', confidential: false }, [], mail));
      await tx((trx) => svc.reply(trx, memberReader, t3, 'Bonjour, voici ce que nous avons ; le devis suivra la semaine prochaine.', [], mail));
      await tx((trx) => svc.startFromMember(trx, memberReader, { subject: 'Question sur la formation export', body: 'Bonjour, la session de mars est-elle ouverte aux débutants ?' }, [], mail));
    }
    log('Messages: two conversations between staff (one confidential), one with the demo member company, one from it waiting to be assigned.');
  },
});
