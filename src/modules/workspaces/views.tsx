// Workspace pages: my workspaces, and one workspace with its members, tasks, decisions,
// documents and discussion.
import { formatDate, formatDateTime } from '../../platform/i18n/index.js';
import { Actions, Badge, ErrorSummary, Field, PostButton, Select, Table, type Errors } from '../../platform/ui/components.js';
import { CsrfField, Page } from '../../platform/ui/layout.js';
import type { ViewContext } from '../../platform/ui/view-context.js';
import type * as svc from './workspaces.service.js';

type Awaited2<T> = T extends Promise<infer U> ? U : T;
type Mine = Awaited2<ReturnType<typeof svc.myWorkspaces>>;

export function ListPage(p: { ctx: ViewContext; items: Mine; canCreate: boolean; errors?: Errors; values?: Record<string, string> }) {
  const t = p.ctx.t;
  return (
    <Page ctx={p.ctx} title={t('workspaces.title')} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('workspaces.title') }]}>
      {p.items.length === 0 ? (
        <p class="empty">{t('workspaces.none')}</p>
      ) : (
        <ul class="cards">
          {p.items.map((w) => (
            <li class="card">
              <h2 class="card-title">
                <a href={`/espaces/${w.id}`}>{w.name}</a>
              </h2>
              <p>
                <Badge kind="info">{t(`workspaces.kind.${w.kind}`)}</Badge> {w.archived ? <Badge>{t('workspaces.archived')}</Badge> : null} {w.role === 'lead' ? <Badge kind="success">{t('workspaces.role.lead')}</Badge> : null}
              </p>
              {w.description ? <p class="muted">{w.description}</p> : null}
              <p>{t('workspaces.open_tasks', { n: Number(w.open_tasks ?? 0) })}</p>
            </li>
          ))}
        </ul>
      )}
      {p.canCreate ? (
        <section aria-labelledby="ws-new">
          <h2 id="ws-new">{t('workspaces.new')}</h2>
          <ErrorSummary ctx={p.ctx} errors={p.errors} />
          <form method="post" action="/espaces" class="stack" novalidate>
            <CsrfField ctx={p.ctx} />
            <Field ctx={p.ctx} name="name" label={t('workspaces.name')} required value={p.values?.name} errors={p.errors} maxlength={120} />
            <Select ctx={p.ctx} name="kind" label={t('workspaces.kind')} value={p.values?.kind} errors={p.errors} options={[{ value: 'committee', label: t('workspaces.kind.committee') }, { value: 'working_group', label: t('workspaces.kind.working_group') }]} />
            <Field ctx={p.ctx} name="description" label={t('workspaces.description')} multiline rows={3} value={p.values?.description} />
            <button type="submit" class="button button-primary">
              {t('common.create')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

export interface WorkspaceData {
  ws: svc.Workspace;
  role: 'lead' | 'member';
  members: Awaited2<ReturnType<typeof svc.members>>;
  tasks: Awaited2<ReturnType<typeof svc.tasks>>;
  decisions: Awaited2<ReturnType<typeof svc.decisions>>;
  documents: Awaited2<ReturnType<typeof svc.documents>>;
  messages: Awaited2<ReturnType<typeof svc.messages>>;
  users: { id: number; name: string }[];
}

export function WorkspacePage({ ctx, data, errors, form }: { ctx: ViewContext; data: WorkspaceData; errors?: Errors; form?: string }) {
  const t = ctx.t;
  const { ws } = data;
  const e = (f: string) => (form === f ? errors : undefined);
  const base = `/espaces/${ws.id}`;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Page ctx={ctx} title={ws.name} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('workspaces.title'), href: '/espaces' }, { label: ws.name }]}>
      <p>
        <Badge kind="info">{t(`workspaces.kind.${ws.kind}`)}</Badge> {ws.archived ? <Badge>{t('workspaces.archived')}</Badge> : null}
      </p>
      {ws.description ? <p>{ws.description}</p> : null}
      <nav aria-label={t('workspaces.sections')} class="actions">
        <a href="#taches">{t('workspaces.tasks')}</a>
        <a href="#decisions">{t('workspaces.decisions')}</a>
        <a href="#documents">{t('workspaces.documents')}</a>
        <a href="#discussion">{t('workspaces.discussion')}</a>
        <a href="#membres">{t('workspaces.members')}</a>
      </nav>
      {errors && form ? <ErrorSummary ctx={ctx} errors={errors} /> : null}

      <section id="taches" aria-labelledby="h-tasks">
        <h2 id="h-tasks">{t('workspaces.tasks')}</h2>
        <Table
          ctx={ctx}
          caption={t('workspaces.tasks')}
          rows={data.tasks}
          empty={t('workspaces.no_tasks')}
          columns={[
            { label: t('workspaces.task'), rowHeader: true, cell: (x) => (x.status === 'done' ? <s>{x.title}</s> : x.title) },
            { label: t('workspaces.owner'), cell: (x) => x.owner_name ?? '—' },
            { label: t('workspaces.due'), cell: (x) => (x.due_on ? <span class={x.status === 'open' && x.due_on < today ? 'overdue' : undefined}>{formatDate(x.due_on, ctx.locale)}</span> : '—') },
            { label: t('workspaces.status'), cell: (x) => <Badge kind={x.status === 'done' ? 'success' : 'warning'}>{t(`workspaces.status.${x.status}`)}</Badge> },
            { label: t('common.actions'), cell: (x) => <PostButton ctx={ctx} action={`${base}/taches/${x.id}/statut`} label={x.status === 'open' ? t('workspaces.mark_done', { title: x.title }) : t('workspaces.reopen', { title: x.title })} fields={{ version: x.version, status: x.status === 'open' ? 'done' : 'open' }} /> },
          ]}
        />
        <form method="post" action={`${base}/taches`} class="form-grid">
          <CsrfField ctx={ctx} />
          <Field ctx={ctx} name="title" id="f-task-title" label={t('workspaces.task')} required errors={e('task')} maxlength={300} />
          <Select ctx={ctx} name="owner_id" id="f-task-owner" label={t('workspaces.owner')} empty={t('common.none')} errors={e('task')} options={data.members.map((m) => ({ value: String(m.id), label: m.name }))} />
          <Field ctx={ctx} name="due_on" id="f-task-due" label={t('workspaces.due')} type="date" errors={e('task')} />
          <div class="field">
            <button type="submit" class="button button-secondary">
              {t('workspaces.add_task')}
            </button>
          </div>
        </form>
      </section>

      <section id="decisions" aria-labelledby="h-decisions">
        <h2 id="h-decisions">{t('workspaces.decisions')}</h2>
        {data.decisions.length === 0 ? <p class="empty">{t('workspaces.no_decisions')}</p> : null}
        <ol class="timeline">
          {data.decisions.map((x) => (
            <li>
              <strong>{x.title}</strong>
              <p class="muted">
                {formatDate(x.decided_on, ctx.locale)} — {t('workspaces.decided_by')} : {x.decided_by}
              </p>
              {x.detail ? <p>{x.detail}</p> : null}
            </li>
          ))}
        </ol>
        <form method="post" action={`${base}/decisions`} class="stack">
          <CsrfField ctx={ctx} />
          <div class="form-grid">
            <Field ctx={ctx} name="decided_on" id="f-dec-date" label={t('workspaces.decided_on')} type="date" required errors={e('decision')} />
            <Field ctx={ctx} name="decided_by" id="f-dec-by" label={t('workspaces.decided_by')} required errors={e('decision')} maxlength={200} hint={t('workspaces.decided_by_hint')} />
          </div>
          <Field ctx={ctx} name="title" id="f-dec-title" label={t('workspaces.decision')} required errors={e('decision')} maxlength={300} />
          <Field ctx={ctx} name="detail" id="f-dec-detail" label={t('workspaces.decision_detail')} multiline rows={3} />
          <button type="submit" class="button button-secondary">
            {t('workspaces.add_decision')}
          </button>
        </form>
      </section>

      <section id="documents" aria-labelledby="h-docs">
        <h2 id="h-docs">{t('workspaces.documents')}</h2>
        {data.documents.length === 0 ? <p class="empty">{t('workspaces.no_documents')}</p> : null}
        <ul class="document-list">
          {data.documents.map((doc) => (
            <li>
              <strong>{doc.title}</strong>
              <ul>
                {doc.versions.map((v) => (
                  <li>
                    <a href={`${base}/documents/${v.id}/${v.name}`}>
                      v{v.number} — {v.name}
                    </a>{' '}
                    <span class="muted">
                      {v.uploaded_by_name}, {formatDateTime(v.created_at, ctx.locale)}
                      {v.note ? ` — ${v.note}` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
        <form method="post" action={`${base}/documents`} enctype="multipart/form-data" class="stack">
          <CsrfField ctx={ctx} />
          <Select ctx={ctx} name="document_id" id="f-doc-id" label={t('workspaces.document_target')} empty={t('workspaces.new_document')} options={data.documents.map((doc) => ({ value: String(doc.id), label: t('workspaces.new_version_of', { title: doc.title }) }))} />
          <Field ctx={ctx} name="title" id="f-doc-title" label={t('workspaces.document_title')} errors={e('document')} maxlength={200} hint={t('workspaces.document_title_hint')} />
          <Field ctx={ctx} name="file" id="f-doc-file" label={t('workspaces.file')} type="file" required errors={e('document')} />
          <Field ctx={ctx} name="note" id="f-doc-note" label={t('workspaces.note')} maxlength={300} />
          <button type="submit" class="button button-secondary">
            {t('workspaces.upload')}
          </button>
        </form>
      </section>

      <section id="discussion" aria-labelledby="h-discussion">
        <h2 id="h-discussion">{t('workspaces.discussion')}</h2>
        {data.messages.length === 0 ? <p class="empty">{t('workspaces.no_messages')}</p> : null}
        <ol class="thread">
          {data.messages.map((m) => (
            <li>
              <p class="muted">
                <strong>{m.author_name}</strong> — {formatDateTime(m.created_at, ctx.locale)}
              </p>
              <p class="message-body">{m.body}</p>
            </li>
          ))}
        </ol>
        <form method="post" action={`${base}/messages`} class="stack">
          <CsrfField ctx={ctx} />
          <Field ctx={ctx} name="body" id="f-msg" label={t('workspaces.message')} multiline rows={3} required errors={e('message')} maxlength={5000} />
          <button type="submit" class="button button-primary">
            {t('workspaces.send')}
          </button>
        </form>
      </section>

      <section id="membres" aria-labelledby="h-members">
        <h2 id="h-members">{t('workspaces.members')}</h2>
        <ul>
          {data.members.map((m) => (
            <li>
              <a href={`/annuaire/personnes/${m.id}`}>{m.name}</a> <span class="muted">— {t(`workspaces.role.${m.role}`)}</span>{' '}
              {data.role === 'lead' ? <PostButton ctx={ctx} action={`${base}/membres`} label={t('workspaces.remove_member', { name: m.name })} fields={{ user_id: m.id, role: 'none' }} /> : null}
            </li>
          ))}
        </ul>
        {data.role === 'lead' ? (
          <form method="post" action={`${base}/membres`} class="form-grid">
            <CsrfField ctx={ctx} />
            <Select ctx={ctx} name="user_id" id="f-member" label={t('workspaces.person')} errors={e('member')} options={data.users.filter((u) => !data.members.some((m) => m.id === u.id)).map((u) => ({ value: String(u.id), label: u.name }))} />
            <Select ctx={ctx} name="role" id="f-member-role" label={t('workspaces.role')} options={[{ value: 'member', label: t('workspaces.role.member') }, { value: 'lead', label: t('workspaces.role.lead') }]} />
            <div class="field">
              <button type="submit" class="button button-secondary">
                {t('workspaces.add_member')}
              </button>
            </div>
          </form>
        ) : null}
        {data.role === 'lead' ? (
          <Actions>
            <PostButton ctx={ctx} action={`${base}/archiver`} label={ws.archived ? t('workspaces.reopen_ws') : t('workspaces.archive')} fields={{ version: ws.version, archived: ws.archived ? '0' : '1' }} />
          </Actions>
        ) : null}
      </section>
    </Page>
  );
}
