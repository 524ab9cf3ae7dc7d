// Forms with attachments (multipart) carry the CSRF token as their first field, like every form:
// the platform checks it before any other part is read (never in the URL: logs, Referer).
// Pages of the messages: the staff inbox, a new conversation, a conversation; and the member's
// list, form and conversation (rendered inside the extranet's shell by the handlers).
import { formatDateTime } from '../../platform/i18n/index.js';
import { Badge, ErrorSummary, Facts, Field, Pagination, PostButton, type Errors } from '../../platform/ui/components.js';
import { CsrfField, Page } from '../../platform/ui/layout.js';
import type { ViewContext } from '../../platform/ui/view-context.js';
import type { Box, ThreadListItem, ThreadView } from './messages.service.js';
import { BOXES, MAX_BODY, MAX_SUBJECT, PER_PAGE } from './messages.service.js';

const crumbsStaff = (ctx: ViewContext, last?: string) => [{ label: ctx.t('app.home'), href: '/portail' }, { label: ctx.t('messages.title'), href: last ? '/messages' : undefined }, ...(last ? [{ label: last }] : [])];

function StatusBadge({ ctx, status }: { ctx: ViewContext; status: string }) {
  return <Badge kind={status === 'open' ? 'info' : 'neutral'}>{ctx.t(`messages.status.${status}`)}</Badge>;
}

/** The list of conversations, as a table (staff) or a list (member): unread ones say so in words, not only in bold. */
function ThreadTable({ ctx, items, base, staff }: { ctx: ViewContext; items: ThreadListItem[]; base: string; staff: boolean }) {
  const t = ctx.t;
  if (items.length === 0) return <p class="empty">{t('messages.none')}</p>;
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={t('messages.list_caption')}>
      <table class="table">
        <caption class="visually-hidden">{t('messages.list_caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('messages.subject')}</th>
            {staff ? <th scope="col">{t('messages.with')}</th> : null}
            <th scope="col">{t('messages.last_activity')}</th>
            <th scope="col">{t('messages.status_label')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr class={i.unread ? 'unread' : undefined}>
              <td>
                <a href={`${base}/${i.id}`}>{i.unread ? <strong>{i.subject}</strong> : i.subject}</a>
                {i.unread ? <> <Badge kind="warning">{t('messages.unread')}</Badge></> : null}
                {staff && i.confidential ? <> <Badge kind="danger">{t('messages.confidential')}</Badge></> : null}
              </td>
              {staff ? <td>{i.kind === 'company' ? (i.companyName ?? t('messages.company_gone')) : t('messages.kind.internal')}</td> : null}
              <td>
                <time datetime={i.last_post_at}>{formatDateTime(i.last_post_at, ctx.locale)}</time>
              </td>
              <td>
                <StatusBadge ctx={ctx} status={i.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function InboxPage(p: { ctx: ViewContext; box: Box; unread: boolean; items: ThreadListItem[]; total: number; page: number; canCompanies: boolean; query: Record<string, string | undefined> }) {
  const t = p.ctx.t;
  const boxes = BOXES.filter((b) => p.canCompanies || (b !== 'companies' && b !== 'unassigned'));
  return (
    <Page ctx={p.ctx} title={t('messages.title')} crumbs={crumbsStaff(p.ctx)}>
      <p>
        <a class="button button-primary" href="/messages/nouveau">
          {t('messages.new')}
        </a>
      </p>
      <nav aria-label={t('messages.boxes')}>
        <ul class="message-boxes">
          {boxes.map((b) => (
            <li>
              <a href={`/messages?boite=${b}${p.unread ? '&non-lus=1' : ''}`} aria-current={b === p.box ? 'page' : undefined}>
                {t(`messages.box.${b}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p>
        {p.unread ? <a href={`/messages?boite=${p.box}`}>{t('messages.show_all')}</a> : <a href={`/messages?boite=${p.box}&non-lus=1`}>{t('messages.show_unread')}</a>}
      </p>
      <ThreadTable ctx={p.ctx} items={p.items} base="/messages" staff />
      <Pagination ctx={p.ctx} page={p.page} perPage={PER_PAGE} total={p.total} path="/messages" query={p.query} />
    </Page>
  );
}

export interface NewThreadValues {
  kind?: string;
  subject?: string;
  body?: string;
  participants?: string[];
  company?: string;
  confidential?: string;
}

export function NewThreadPage(p: { ctx: ViewContext; values: NewThreadValues; errors?: Errors; users: { id: number; name: string }[]; canCompanies: boolean; companyName?: string }) {
  const t = p.ctx.t;
  const v = p.values;
  const toCompany = v.kind === 'company';
  return (
    <Page ctx={p.ctx} title={t('messages.new')} crumbs={crumbsStaff(p.ctx, t('messages.new'))}>
      <ErrorSummary ctx={p.ctx} errors={p.errors} labels={{ subject: t('messages.subject'), body: t('messages.body'), participants: t('messages.participants'), company: t('messages.company'), attachments: t('messages.attachments') }} />
      <form method="post" action="/messages/nouveau" enctype="multipart/form-data" class="stack" novalidate>
        <CsrfField ctx={p.ctx} />
        {p.canCompanies ? (
          <fieldset class="field">
            <legend>{t('messages.kind_label')}</legend>
            <label class="choice">
              <input type="radio" name="kind" value="internal" checked={!toCompany} /> {t('messages.kind.internal')}
            </label>
            <label class="choice">
              <input type="radio" name="kind" value="company" checked={toCompany} /> {t('messages.kind.company')}
            </label>
          </fieldset>
        ) : (
          <input type="hidden" name="kind" value="internal" />
        )}
        <div class={`field${p.errors?.participants ? ' field-error' : ''}`}>
          <label for="f-participants">{t('messages.participants')}</label>
          <p class="hint" id="f-participants-hint">
            {t('messages.participants_hint')}
          </p>
          {p.errors?.participants ? (
            <p class="error-text" id="f-participants-error">
              {t(p.errors.participants)}
            </p>
          ) : null}
          <select id="f-participants" name="participants" multiple size={6} aria-describedby={p.errors?.participants ? 'f-participants-hint f-participants-error' : 'f-participants-hint'} aria-invalid={p.errors?.participants ? 'true' : undefined}>
            {p.users.map((u) => (
              <option value={String(u.id)} selected={v.participants?.includes(String(u.id))}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        {p.canCompanies ? <Field ctx={p.ctx} name="company" label={t('messages.company')} hint={p.companyName ? t('messages.company_named', { name: p.companyName }) : t('messages.company_hint')} value={v.company} errors={p.errors} maxlength={14} inputmode="numeric" /> : null}
        <Field ctx={p.ctx} name="subject" label={t('messages.subject')} required value={v.subject} errors={p.errors} maxlength={MAX_SUBJECT} />
        <Field ctx={p.ctx} name="body" label={t('messages.body')} required multiline rows={8} value={v.body} errors={p.errors} maxlength={MAX_BODY} />
        <Field ctx={p.ctx} name="attachments" label={t('messages.attachments')} type="file" hint={t('messages.attachments_hint')} errors={p.errors} accept=".pdf,.png,.jpg,.jpeg,.webp,.docx,.xlsx,.pptx,.odt,.ods,.txt,.csv" />
        <label class="choice">
          <input type="checkbox" name="confidential" value="1" checked={v.confidential === '1'} /> {t('messages.confidential_label')}
        </label>
        <p>
          <button type="submit" class="button button-primary">
            {t('messages.send')}
          </button>
        </p>
      </form>
    </Page>
  );
}

/** The posts of a conversation, oldest first; attachments as download links. */
function Posts({ ctx, view, base }: { ctx: ViewContext; view: ThreadView; base: string }) {
  const t = ctx.t;
  return (
    <ol class="thread">
      {view.posts.map((post) => (
        <li class={`thread-message thread-${post.author_kind}`} id={`post-${post.id}`}>
          <p class="thread-meta">
            <strong>{post.author_kind === 'staff' && ctx.actor.kind === 'member' ? t('messages.from_cci', { name: post.author_name }) : post.author_name}</strong> · <time datetime={post.created_at}>{formatDateTime(post.created_at, ctx.locale)}</time>
          </p>
          <div class="thread-body">
            {post.body.split('\n').map((line) => (
              <p>{line}</p>
            ))}
          </div>
          {post.files.length ? (
            <ul class="link-list" aria-label={t('messages.attachments')}>
              {post.files.map((f) => (
                <li>
                  <a href={`${base}/${view.thread.id}/fichiers/${f.id}`}>{f.file_name}</a> <span class="muted">({Math.max(1, Math.round(f.size / 1024))} Ko)</span>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function ReplyForm({ ctx, action, errors, body }: { ctx: ViewContext; action: string; errors?: Errors; body?: string }) {
  const t = ctx.t;
  return (
    <section aria-labelledby="reply-title">
      <h2 id="reply-title">{t('messages.reply')}</h2>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ body: t('messages.body'), attachments: t('messages.attachments') }} />
      <form method="post" action={`${action}`} enctype="multipart/form-data" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="body" label={t('messages.body')} required multiline rows={6} value={body} errors={errors} maxlength={MAX_BODY} />
        <Field ctx={ctx} name="attachments" label={t('messages.attachments')} type="file" hint={t('messages.attachments_hint')} errors={errors} accept=".pdf,.png,.jpg,.jpeg,.webp,.docx,.xlsx,.pptx,.odt,.ods,.txt,.csv" />
        <p>
          <button type="submit" class="button button-primary">
            {t('messages.send')}
          </button>
        </p>
      </form>
    </section>
  );
}

export function ThreadPage(p: { ctx: ViewContext; view: ThreadView; users: { id: number; name: string }[]; services: { id: number; name: string }[]; errors?: Errors; body?: string }) {
  const t = p.ctx.t;
  const { thread } = p.view;
  const base = `/messages/${thread.id}`;
  const assigned = thread.assignee_user_id !== null ? `u:${thread.assignee_user_id}` : thread.assignee_service_id !== null ? `s:${thread.assignee_service_id}` : '';
  return (
    <Page ctx={p.ctx} title={thread.subject} crumbs={crumbsStaff(p.ctx, thread.subject)}>
      <Facts
        items={[
          [t('messages.with'), thread.kind === 'company' ? (p.view.companyName ?? t('messages.company_gone')) : t('messages.kind.internal')],
          [
            t('messages.status_label'),
            <>
              <StatusBadge ctx={p.ctx} status={thread.status} /> {thread.confidential ? <Badge kind="danger">{t('messages.confidential')}</Badge> : null}
            </>,
          ],
          [t('messages.assignee'), p.view.assigneeName ?? p.view.assigneeServiceName ?? t('messages.nobody')],
          [t('messages.participants'), p.view.participants.length ? p.view.participants.map((u) => u.name).join(', ') : t('messages.nobody')],
        ]}
      />
      {thread.kind === 'company' && thread.company_id !== null ? (
        <p>
          <a href={`/registre/entreprises/${thread.company_id}`}>{t('messages.open_company')}</a>
        </p>
      ) : null}
      <Posts ctx={p.ctx} view={p.view} base="/messages" />
      <ReplyForm ctx={p.ctx} action={`${base}/repondre`} errors={p.errors} body={p.body} />
      <section aria-labelledby="manage-title" class="message-manage">
        <h2 id="manage-title">{t('messages.manage')}</h2>
        <form method="post" action={`${base}/attribuer`} class="inline-form">
          <CsrfField ctx={p.ctx} />
          <label for="f-assignee">{t('messages.assign_to')}</label>{' '}
          <select id="f-assignee" name="assignee">
            <option value="">{t('messages.nobody')}</option>
            <optgroup label={t('messages.colleagues')}>
              {p.users.map((u) => (
                <option value={`u:${u.id}`} selected={assigned === `u:${u.id}`}>
                  {u.name}
                </option>
              ))}
            </optgroup>
            <optgroup label={t('messages.services')}>
              {p.services.map((s) => (
                <option value={`s:${s.id}`} selected={assigned === `s:${s.id}`}>
                  {s.name}
                </option>
              ))}
            </optgroup>
          </select>{' '}
          <button type="submit" class="button button-secondary">
            {t('messages.assign')}
          </button>
        </form>
        <form method="post" action={`${base}/participants`} class="inline-form">
          <CsrfField ctx={p.ctx} />
          <label for="f-participant">{t('messages.add_participant')}</label>{' '}
          <select id="f-participant" name="user_id">
            {p.users.map((u) => (
              <option value={String(u.id)}>{u.name}</option>
            ))}
          </select>{' '}
          <button type="submit" class="button button-secondary">
            {t('messages.add')}
          </button>
        </form>
        {thread.status === 'open' ? <PostButton ctx={p.ctx} action={`${base}/fermer`} label={t('messages.close')} /> : <PostButton ctx={p.ctx} action={`${base}/rouvrir`} label={t('messages.reopen')} />}
      </section>
    </Page>
  );
}

// ——— member side (bodies: the extranet's shell wraps them) ———

export function MemberList(p: { ctx: ViewContext; items: ThreadListItem[]; total: number; page: number }) {
  const t = p.ctx.t;
  return (
    <>
      <p>{t('messages.member_intro')}</p>
      <p>
        <a class="button button-primary" href="/extranet/messages/nouveau">
          {t('messages.member_new')}
        </a>
      </p>
      <ThreadTable ctx={p.ctx} items={p.items} base="/extranet/messages" staff={false} />
      <Pagination ctx={p.ctx} page={p.page} perPage={PER_PAGE} total={p.total} path="/extranet/messages" query={{}} />
    </>
  );
}

export function MemberNewForm(p: { ctx: ViewContext; values: { subject?: string; body?: string }; errors?: Errors }) {
  const t = p.ctx.t;
  return (
    <>
      <ErrorSummary ctx={p.ctx} errors={p.errors} labels={{ subject: t('messages.subject'), body: t('messages.body'), attachments: t('messages.attachments') }} />
      <form method="post" action="/extranet/messages/nouveau" enctype="multipart/form-data" class="stack" novalidate>
        <CsrfField ctx={p.ctx} />
        <Field ctx={p.ctx} name="subject" label={t('messages.subject')} required value={p.values.subject} errors={p.errors} maxlength={MAX_SUBJECT} />
        <Field ctx={p.ctx} name="body" label={t('messages.body')} required multiline rows={8} value={p.values.body} errors={p.errors} maxlength={MAX_BODY} />
        <Field ctx={p.ctx} name="attachments" label={t('messages.attachments')} type="file" hint={t('messages.attachments_hint')} errors={p.errors} accept=".pdf,.png,.jpg,.jpeg,.webp,.docx,.xlsx,.pptx,.odt,.ods,.txt,.csv" />
        <p>
          <button type="submit" class="button button-primary">
            {t('messages.send')}
          </button>
        </p>
      </form>
    </>
  );
}

export function MemberThread(p: { ctx: ViewContext; view: ThreadView; errors?: Errors; body?: string }) {
  const t = p.ctx.t;
  return (
    <>
      <p>
        <StatusBadge ctx={p.ctx} status={p.view.thread.status} />
      </p>
      <Posts ctx={p.ctx} view={p.view} base="/extranet/messages" />
      <ReplyForm ctx={p.ctx} action={`/extranet/messages/${p.view.thread.id}/repondre`} errors={p.errors} body={p.body} />
      <p>
        <a href="/extranet/messages">{t('messages.back_to_list')}</a>
      </p>
    </>
  );
}

/** The company page's panel: the company's conversations this staff member may see. */
export function CompanyPanel(p: { ctx: ViewContext; companyId: number; items: { id: number; subject: string; status: string; last_post_at: string; confidential: number }[]; canWrite: boolean }) {
  const t = p.ctx.t;
  return (
    <section class="card" aria-labelledby="messages-panel-title">
      <h2 id="messages-panel-title">{t('messages.panel_title')}</h2>
      {p.items.length === 0 ? (
        <p class="empty">{t('messages.none')}</p>
      ) : (
        <ul class="link-list">
          {p.items.map((i) => (
            <li>
              <a href={`/messages/${i.id}`}>{i.subject}</a> <StatusBadge ctx={p.ctx} status={i.status} /> <time datetime={i.last_post_at}>{formatDateTime(i.last_post_at, p.ctx.locale)}</time>
            </li>
          ))}
        </ul>
      )}
      {p.canWrite ? (
        <p>
          <a href={`/messages/nouveau?entreprise=${p.companyId}`}>{t('messages.write_to_company')}</a>
        </p>
      ) : null}
    </section>
  );
}
