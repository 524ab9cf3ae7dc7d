// Public handlers of the mailing module: subscription (public site and extranet), confirmation,
// one-click unsubscribe (RFC 8058), preferences, archive, counted links and opens, and the
// relay providers' webhook. The signed token in each URL is the key (tokens.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../platform/errors.js';
import { idParam, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { AppError, notFound } from '../../platform/errors.js';
import { archive, archivedCampaign, countClick, countOpen, previewFor } from './campaigns.service.js';
import * as lists from './lists.service.js';
import type { MailingDb } from './mailing.table.js';
import { sendDeps } from './mailing.web.js';
import { checkSig, clickSig, openSig, preferencesToken, readConfirmToken, readPreferencesToken } from './tokens.js';
import { unsubscribeRecipient, unsubscribeTarget } from './unsubscribe.service.js';
import { ArchivePage, ConfirmPage, MessagePage, PreferencesPage, SubscribePage, UnsubscribePage } from './views/public.js';

type Ctx = ModuleContext<MailingDb>;

/** The public site's shell, or the extranet's for members. */
const view = (req: FastifyRequest) => (req.routeOptions.url?.startsWith('/extranet') ? req.view({ shell: 'member' }) : req.view({ shell: 'public', nav: [] }));
const token = (req: FastifyRequest) => String((req.params as Record<string, string>).token ?? '').slice(0, 500);
const formAction = (req: FastifyRequest) => (req.routeOptions.url?.startsWith('/extranet') ? '/extranet/lettres-information' : '/abonnements');

export async function handleSubscribePage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<SubscribePage ctx={view(req)} lists={await lists.publicLists(db)} action={formAction(req)} sent={str(req.query, 'envoye', 2) === '1'} />);
}

export async function handleSubscribe(req: FastifyRequest, reply: FastifyReply, { db, mailer, config }: Ctx) {
  const values = { email: rawField(req.body, 'email', 300), first_name: str(req.body, 'first_name', 100), last_name: str(req.body, 'last_name', 100), list_id: str(req.body, 'list_id', 12) };
  const source = req.routeOptions.url?.startsWith('/extranet') ? ('extranet' as const) : ('public' as const);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) =>
        lists.requestSubscription(trx, mailer, { secret: config.sessionSecret, publicUrl: config.publicUrl }, { listId: idParam(values.list_id) ?? 0, email: values.email, firstName: values.first_name, lastName: values.last_name, source, ip: req.ip, lang: req.locale }),
      );
      return reply.redirect(`${formAction(req)}?envoye=1`);
    },
    async (errors: FieldErrors) => <SubscribePage ctx={view(req)} lists={await lists.publicLists(db)} action={formAction(req)} values={values} errors={errors} />,
  );
}

function rawField(body: unknown, name: string, max: number): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
}

/** GET never confirms (mail scanners follow links): it shows the button that does. */
export async function handleConfirmPage(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const read = readConfirmToken(config.sessionSecret, token(req));
  if (read === 'expired') return reply.render(<MessagePage ctx={view(req)} title={req.t('mailing.link_expired')} body={req.t('mailing.link_expired')} links={[{ href: '/abonnements', label: req.t('mailing.subscribe.title') }]} />, 410);
  if (!read) return reply.render(<MessagePage ctx={view(req)} title={req.t('mailing.link_invalid')} body={req.t('mailing.link_invalid')} />, 404);
  const list = await lists.listOfSubscriber(db, read.subscriberId);
  if (!list) return reply.render(<MessagePage ctx={view(req)} title={req.t('mailing.link_invalid')} body={req.t('mailing.link_invalid')} />, 404);
  return reply.render(<ConfirmPage ctx={view(req)} token={token(req)} list={list.name} />);
}

export async function handleConfirm(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  try {
    const { list, subscriber } = await db.transaction().execute((trx) => lists.confirmSubscription(trx, config.sessionSecret, token(req)));
    return reply.render(<MessagePage ctx={view(req)} title={req.t('mailing.confirmed.title')} body={req.t('mailing.confirmed.body', { list: list.name })} links={[{ href: `/abonnements/preferences/${preferencesToken(config.sessionSecret, subscriber.email_norm)}`, label: req.t('mailing.preferences.title') }]} />);
  } catch (e) {
    if (e instanceof AppError && e.kind === 'not_found') return reply.render(<MessagePage ctx={view(req)} title={req.t(e.code)} body={req.t(e.code)} links={[{ href: '/abonnements', label: req.t('mailing.subscribe.title') }]} />, e.code === 'mailing.link_expired' ? 410 : 404);
    throw e;
  }
}

// ————— unsubscribe —————

async function unsubscribePage(req: FastifyRequest, db: MailingDb, secret: string, done = false) {
  const target = await unsubscribeTarget(db, secret, token(req));
  return <UnsubscribePage ctx={view(req)} token={token(req)} target={target} preferences={`/abonnements/preferences/${preferencesToken(secret, target.emailNorm)}`} done={done} />;
}

export async function handleUnsubscribePage(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  return reply.render(await unsubscribePage(req, db, config.sessionSecret));
}

/**
 * RFC 8058: a mail client POSTs `List-Unsubscribe=One-Click` to the URL, without cookie or CSRF
 * token (the route is declared `oneClick`); our own page posts `scope` (this list or everything).
 * Idempotent: the same answer, nothing changed, the second time.
 */
export async function handleUnsubscribe(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const target = await unsubscribeTarget(db, config.sessionSecret, token(req));
  const oneClick = str(req.body, 'List-Unsubscribe', 20) === 'One-Click';
  const scope = !oneClick && str(req.body, 'scope', 10) === 'all' ? 'all' : 'list';
  await db.transaction().execute((trx) => unsubscribeRecipient(trx, target.recipientId, scope, oneClick ? 'un clic (RFC 8058)' : 'page de désinscription'));
  if (oneClick || !req.headers.accept?.includes('text/html')) return reply.type('text/plain; charset=utf-8').send(req.t('mailing.unsubscribe.done'));
  return reply.render(await unsubscribePage(req, db, config.sessionSecret, true));
}

export async function handlePreferences(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const email = readPreferencesToken(config.sessionSecret, token(req));
  if (!email) return reply.render(<MessagePage ctx={view(req)} title={req.t('mailing.link_invalid')} body={req.t('mailing.link_invalid')} />, 404);
  return reply.render(<PreferencesPage ctx={view(req)} prefs={await lists.preferencesOf(db, config.sessionSecret, email)} saved={str(req.query, 'ok', 2) === '1'} />);
}

export async function handleSavePreferences(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const email = readPreferencesToken(config.sessionSecret, token(req));
  if (!email) return reply.render(<MessagePage ctx={view(req)} title={req.t('mailing.link_invalid')} body={req.t('mailing.link_invalid')} />, 404);
  const keep = list(req.body, 'keep').map(Number).filter(Number.isInteger);
  await db.transaction().execute((trx) => lists.savePreferences(trx, email, keep, list(req.body, 'everything').includes('1')));
  return reply.redirect(`/abonnements/preferences/${token(req)}?ok=1`);
}

// ————— archive, links, opens —————

export async function handleArchive(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ArchivePage ctx={view(req)} items={await archive(db)} />);
}

/** A sent newsletter as its readers got it (merge fields at their fallbacks: nobody's data). */
export async function handleArchived(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const c = await archivedCampaign(ctx.db, requireId(req, 'campaign', 'mailing.campaign_not_found'));
  const msg = await previewFor(ctx.db, await sendDeps(ctx), { ...c, tracking: 0 }, undefined);
  return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'").send(msg.html);
}

/** A counted link: `<campaign>.<link>.<signature>`; the target comes from the campaign, so this never redirects anywhere else. */
export async function handleClick(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const m = /^(\d{1,12})\.(\d{1,4})\.([A-Za-z0-9_-]{16})$/.exec(token(req));
  if (!m || !checkSig(clickSig(config.sessionSecret, Number(m[1]), Number(m[2])), m[3])) throw new AppError('not_found', 'mailing.link_invalid');
  const url = await db.transaction().execute((trx) => countClick(trx, Number(m[1]), Number(m[2])));
  if (!url) throw new AppError('not_found', 'mailing.link_invalid');
  return reply.header('cache-control', 'no-store').redirect(url, 302);
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export async function handleOpen(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{16})\.gif$/.exec(token(req));
  // Only a pixel this CCI signed exists: anything else is "not found" (counts nothing, as before).
  if (!m || !checkSig(openSig(config.sessionSecret, Number(m[1])), m[2])) throw notFound();
  await db.transaction().execute((trx) => countOpen(trx, Number(m[1])));
  return reply.type('image/gif').header('cache-control', 'no-store').send(GIF);
}
