// Back-office screens of the content workflow: lists, review queue, item overview with its
// workflow actions, the editor, revisions with their diff, settings (sections, folders, links).
import type { ItemInput } from '../content.service.js';
import type { Change } from 'diff';
import { formatDate, formatDateTime } from '../../../platform/i18n/index.js';
import { Actions, Badge, ButtonLink, Choices, ErrorSummary, Facts, Field, Pagination, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { FileRow, ItemListRow, ItemRow, Kind, LinkRow, LiveRow, LogRow, RevisionRow, Status } from '../content.table.js';
import { KINDS, STATUSES } from '../content.table.js';
import type { Rights } from '../content.service.js';
import { audiencesLabel } from './common.js';

const STATUS_BADGE: Record<Status, 'neutral' | 'info' | 'warning' | 'success'> = { draft: 'neutral', submitted: 'warning', scheduled: 'info', published: 'success' };

export function StatusBadge({ ctx, status }: { ctx: ViewContext; status: Status }) {
  return <Badge kind={STATUS_BADGE[status]}>{ctx.t(`content.status.${status}`)}</Badge>;
}

const crumbsRoot = (ctx: ViewContext) => [{ label: ctx.t('app.home'), href: '/portail' }, { label: ctx.t('content.title'), href: '/contenus' }];

export function ItemsPage(p: { ctx: ViewContext; items: ItemListRow[]; total: number; page: number; query: Record<string, string | undefined>; sections: { id: number; name: string }[]; title?: string }) {
  const t = p.ctx.t;
  return (
    <Page ctx={p.ctx} title={p.title ?? t('content.title')} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: p.title ?? t('content.title') }]}>
      <Actions>
        {KINDS.map((k) => (
          <ButtonLink href={`/contenus/nouveau?type=${k}`} variant="secondary">
            {t(`content.new.${k}`)}
          </ButtonLink>
        ))}
      </Actions>
      <p>
        <a href="/contenus/arborescence">{t('content.page_tree')}</a> · <a href="/contenus/relecture">{t('content.review.title')}</a>
      </p>
      <form method="get" action="/contenus" class="toolbar">
        <div class="field">
          <label for="f-q">{t('content.filter.q')}</label>
          <input id="f-q" type="search" name="q" value={p.query.q ?? ''} maxLength={100} />
        </div>
        <Select ctx={p.ctx} name="type" label={t('content.field.kind')} empty={t('common.all')} value={p.query.type} options={KINDS.map((k) => ({ value: k, label: t(`content.kind.${k}`) }))} />
        <Select ctx={p.ctx} name="status" label={t('content.field.status')} empty={t('common.all')} value={p.query.status} options={STATUSES.map((s) => ({ value: s, label: t(`content.status.${s}`) }))} />
        <Select ctx={p.ctx} name="section" label={t('content.field.section')} empty={t('common.all')} value={p.query.section} options={p.sections.map((s) => ({ value: String(s.id), label: s.name }))} />
        <button type="submit">{t('common.filter')}</button>
      </form>
      <ItemsTable ctx={p.ctx} items={p.items} caption={p.title ?? t('content.title')} />
      <Pagination ctx={p.ctx} page={p.page} perPage={30} total={p.total} path="/contenus" query={p.query} />
    </Page>
  );
}

function ItemsTable({ ctx, items, caption }: { ctx: ViewContext; items: ItemListRow[]; caption: string }) {
  const t = ctx.t;
  return (
    <Table
      ctx={ctx}
      caption={caption}
      rows={items}
      columns={[
        { label: t('content.field.title'), rowHeader: true, cell: (r) => <a href={`/contenus/${r.id}`}>{r.title}</a> },
        { label: t('content.field.kind'), cell: (r) => t(`content.kind.${r.kind}`) },
        { label: t('content.field.status'), cell: (r) => <><StatusBadge ctx={ctx} status={r.status} />{r.live_revision && r.status !== 'published' ? <> <Badge kind="success">{t('content.live_badge')}</Badge></> : null}</> },
        { label: t('content.field.audiences'), cell: (r) => audiencesLabel(ctx, r) },
        { label: t('content.field.section'), cell: (r) => r.section_name ?? '—' },
        { label: t('content.field.updated'), cell: (r) => formatDateTime(r.updated_at, ctx.locale) },
      ]}
    />
  );
}

type TreeRow = { id: number; title: string; slug: string; parent_id: number | null; status: Status; aud_intranet: number; aud_extranet: number; aud_public: number; live_revision: number | null };

function PageBranch({ ctx, rows, parent, depth }: { ctx: ViewContext; rows: TreeRow[]; parent: number | null; depth: number }) {
  const children = rows.filter((r) => r.parent_id === parent);
  if (!children.length || depth > 10) return null;
  return (
    <ul class={parent === null ? 'org-chart' : undefined}>
      {children.map((r) => (
        <li>
          <a href={`/contenus/${r.id}`}>{r.title}</a> <StatusBadge ctx={ctx} status={r.status} />
          {r.live_revision && r.status !== 'published' ? <> <Badge kind="success">{ctx.t('content.live_badge')}</Badge></> : null}
          <span class="muted"> — /pages/{r.slug} · {audiencesLabel(ctx, r)}</span>
          <PageBranch ctx={ctx} rows={rows} parent={r.id} depth={depth + 1} />
        </li>
      ))}
    </ul>
  );
}

export function PageTreePage({ ctx, rows }: { ctx: ViewContext; rows: TreeRow[] }) {
  const t = ctx.t;
  // Pages whose parent is gone are shown at the top level rather than lost.
  const ids = new Set(rows.map((r) => r.id));
  const fixed = rows.map((r) => (r.parent_id && !ids.has(r.parent_id) ? { ...r, parent_id: null } : r));
  return (
    <Page ctx={ctx} title={t('content.page_tree')} crumbs={[...crumbsRoot(ctx), { label: t('content.page_tree') }]}>
      <Actions>
        <ButtonLink href="/contenus/nouveau?type=page" variant="secondary">
          {t('content.new.page')}
        </ButtonLink>
      </Actions>
      {rows.length ? <PageBranch ctx={ctx} rows={fixed} parent={null} depth={0} /> : <p class="empty">{t('common.no_results')}</p>}
    </Page>
  );
}

export function ReviewPage({ ctx, items }: { ctx: ViewContext; items: ItemListRow[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('content.review.title')} crumbs={[...crumbsRoot(ctx), { label: t('content.review.title') }]}>
      <p>{t('content.review.help')}</p>
      <ItemsTable ctx={ctx} items={items} caption={t('content.review.title')} />
    </Page>
  );
}

/** The edit form's values: what it sends, plus the version it was based on. */
export type ItemFormValues = ItemInput & { version?: number };

export function EditPage(p: {
  ctx: ViewContext;
  kind: Kind;
  item?: ItemRow;
  values: ItemFormValues;
  errors?: Errors;
  sections: { id: number; name: string }[];
  pages: { id: number; title: string }[];
  folders: { id: number; name: string }[];
  images: FileRow[];
}) {
  const { ctx, kind, values: v, errors } = p;
  const t = ctx.t;
  const title = p.item ? t('content.edit_title', { title: p.item.title }) : t(`content.new.${kind}`);
  const action = p.item ? `/contenus/${p.item.id}/modifier` : `/contenus?type=${kind}`;
  const labels = { title: t('content.field.title'), body: t('content.field.body'), audiences: t('content.field.audiences'), slug: t('content.field.slug'), event_start: t('content.field.event_start'), event_end: t('content.field.event_end') };
  return (
    <Page ctx={ctx} title={title} crumbs={[...crumbsRoot(ctx), ...(p.item ? [{ label: p.item.title, href: `/contenus/${p.item.id}` }] : []), { label: p.item ? t('common.edit') : t(`content.new.${kind}`) }]}>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      {p.item && p.item.status !== 'draft' ? <p class="flash flash-info">{t('content.edit_back_to_draft')}</p> : null}
      <form method="post" action={action} class="stack content-form" novalidate>
        <CsrfField ctx={ctx} />
        {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : null}
        <Field ctx={ctx} name="title" label={t('content.field.title')} value={v.title} errors={errors} required maxlength={200} />
        <Field ctx={ctx} name="slug" label={t('content.field.slug')} value={v.slug} errors={errors} hint={t('content.hint.slug')} maxlength={80} />
        <Field ctx={ctx} name="summary" label={t('content.field.summary')} value={v.summary} errors={errors} multiline rows={3} hint={t('content.hint.summary')} maxlength={600} />
        <div class={`field${errors?.body ? ' field-error' : ''}`}>
          <label for="f-body" id="f-body-label">
            {t('content.field.body')}
          </label>
          <p class="hint" id="f-body-hint">
            {t('content.hint.body')}
          </p>
          {errors?.body ? (
            <p class="error-text" id="f-body-error">
              {t(errors.body)}
            </p>
          ) : null}
          <textarea
            id="f-body"
            name="body"
            rows={14}
            data-rich="1"
            data-images={JSON.stringify(p.images.map((i) => ({ src: `/fichiers/${i.id}/${i.name}`, alt: i.alt ?? '' })))}
            aria-describedby={`f-body-hint${errors?.body ? ' f-body-error' : ''}`}
            aria-invalid={errors?.body ? 'true' : undefined}
          >
            {v.body ?? ''}
          </textarea>
        </div>
        <Choices
          ctx={ctx}
          name="audiences"
          legend={t('content.field.audiences')}
          hint={t('content.hint.audiences')}
          values={v.audiences ?? []}
          errors={errors}
          options={(['intranet', 'extranet', 'public'] as const).map((a) => ({ value: a, label: t(`content.audience.${a}`) }))}
        />
        <Select ctx={ctx} name="section_id" label={t('content.field.section')} empty={t('content.no_section')} value={v.section_id} errors={errors} options={p.sections.map((s) => ({ value: String(s.id), label: s.name }))} />
        {kind === 'news' ? <Field ctx={ctx} name="news_date" label={t('content.field.news_date')} type="date" value={v.news_date} errors={errors} /> : null}
        {kind === 'news' || kind === 'page' || kind === 'event' ? (
          p.item ? (
            <Select ctx={ctx} name="image_file_id" label={t('content.field.image')} empty={t('common.none')} value={v.image_file_id} errors={errors} hint={t('content.hint.image')} options={p.images.map((i) => ({ value: String(i.id), label: `${i.alt} (${i.name})` }))} />
          ) : null
        ) : null}
        {kind === 'page' ? (
          <>
            <Select ctx={ctx} name="parent_id" label={t('content.field.parent')} empty={t('content.no_parent')} value={v.parent_id} errors={errors} options={p.pages.filter((x) => x.id !== p.item?.id).map((x) => ({ value: String(x.id), label: x.title }))} />
            <Field ctx={ctx} name="position" label={t('content.field.position')} type="number" min={0} max={9999} value={v.position} errors={errors} />
          </>
        ) : null}
        {kind === 'event' ? (
          <div class="form-grid">
            <Field ctx={ctx} name="event_start" label={t('content.field.event_start')} type="datetime-local" value={v.event_start} errors={errors} required hint={t('content.hint.paris_time')} />
            <Field ctx={ctx} name="event_end" label={t('content.field.event_end')} type="datetime-local" value={v.event_end} errors={errors} hint={t('content.hint.paris_time')} />
            <Field ctx={ctx} name="event_place" label={t('content.field.event_place')} value={v.event_place} errors={errors} maxlength={200} />
            <Field ctx={ctx} name="event_link" label={t('content.field.event_link')} type="url" value={v.event_link} errors={errors} maxlength={500} />
          </div>
        ) : null}
        {kind === 'document' ? <Select ctx={ctx} name="folder_id" label={t('content.field.folder')} empty={t('content.no_folder')} value={v.folder_id} errors={errors} options={p.folders.map((f) => ({ value: String(f.id), label: f.name }))} /> : null}
        <Field ctx={ctx} name="meta_description" label={t('content.field.meta_description')} value={v.meta_description} errors={errors} hint={t('content.hint.meta_description')} maxlength={300} />
        <Actions>
          <button type="submit" class="button button-primary">
            {t('content.save_draft')}
          </button>
          <a href={p.item ? `/contenus/${p.item.id}` : '/contenus'}>{t('common.cancel')}</a>
        </Actions>
      </form>
      <script src="/static/content-editor.js" defer></script>
    </Page>
  );
}

export function ItemOverview(p: { ctx: ViewContext; item: ItemRow; live?: LiveRow; rights: Rights; log: LogRow[]; images: FileRow[]; documents: FileRow[]; sectionName?: string; errors?: Errors }) {
  const { ctx, item, live, rights, errors } = p;
  const t = ctx.t;
  const v = { version: item.version };
  return (
    <Page ctx={ctx} title={item.title} crumbs={[...crumbsRoot(ctx), { label: item.title }]}>
      <ErrorSummary ctx={ctx} errors={errors} />
      {item.review_comment && item.status === 'draft' ? (
        <div class="flash flash-error" role="note">
          <strong>{t('content.sent_back_with')}</strong> {item.review_comment}
        </div>
      ) : null}
      <Facts
        items={[
          [t('content.field.kind'), t(`content.kind.${item.kind}`)],
          [t('content.field.status'), <StatusBadge ctx={ctx} status={item.status} />],
          [t('content.field.audiences'), audiencesLabel(ctx, item)],
          [t('content.field.section'), p.sectionName ?? '—'],
          [t('content.field.revision'), String(item.revision)],
          [t('content.live'), live ? t('content.live_since', { rev: live.revision, at: formatDateTime(live.published_at, ctx.locale) }) : t('content.not_live')],
          ...(item.scheduled_at ? ([[t('content.scheduled_at'), formatDateTime(item.scheduled_at, ctx.locale)]] as [string, string][]) : []),
          ...(item.unpublish_at || live?.unpublish_at ? ([[t('content.unpublish_at'), formatDateTime(item.unpublish_at ?? live?.unpublish_at, ctx.locale)]] as [string, string][]) : []),
        ]}
      />
      {live && item.status !== 'published' ? <p class="flash flash-info">{t('content.live_stays')}</p> : null}
      <h2>{t('content.actions')}</h2>
      <Actions>
        {rights.edit ? <ButtonLink href={`/contenus/${item.id}/modifier`}>{t('common.edit')}</ButtonLink> : null}
        {rights.edit && item.status === 'draft' ? <PostButton ctx={ctx} action={`/contenus/${item.id}/soumettre`} label={t('content.submit')} variant="primary" fields={v} /> : null}
        {(['intranet', 'extranet', 'public'] as const)
          .filter((a) => item[`aud_${a}`])
          .map((a) => (
            <a href={`/contenus/${item.id}/apercu?audience=${a}`}>{t('content.preview_as', { audience: t(`content.audience.${a}`) })}</a>
          ))}
        <a href={`/contenus/${item.id}/revisions`}>{t('content.revisions')}</a>
      </Actions>
      {rights.publish && item.status === 'submitted' ? (
        <div class="form-grid">
          <form method="post" action={`/contenus/${item.id}/publier`} class="stack card">
            <CsrfField ctx={ctx} />
            <input type="hidden" name="version" value={String(item.version)} />
            <h3>{t('content.publish')}</h3>
            <Field ctx={ctx} name="at" id="f-at" label={t('content.publish_at')} type="datetime-local" hint={t('content.hint.publish_at')} errors={errors} />
            <Field ctx={ctx} name="until" id="f-until" label={t('content.unpublish_at')} type="datetime-local" hint={t('content.hint.unpublish_at')} errors={errors} />
            <button type="submit" class="button button-primary">
              {t('content.publish')}
            </button>
          </form>
          <form method="post" action={`/contenus/${item.id}/renvoyer`} class="stack card">
            <CsrfField ctx={ctx} />
            <input type="hidden" name="version" value={String(item.version)} />
            <h3>{t('content.send_back')}</h3>
            <Field ctx={ctx} name="comment" label={t('content.comment')} multiline rows={3} required errors={errors} maxlength={2000} />
            <button type="submit" class="button button-secondary">
              {t('content.send_back')}
            </button>
          </form>
        </div>
      ) : null}
      <Actions>
        {rights.publish && item.status === 'scheduled' ? <PostButton ctx={ctx} action={`/contenus/${item.id}/annuler-programmation`} label={t('content.cancel_schedule')} fields={v} /> : null}
        {rights.publish && live ? <PostButton ctx={ctx} action={`/contenus/${item.id}/depublier`} label={t('content.unpublish')} variant="danger" fields={v} confirm={t('content.unpublish_confirm')} /> : null}
      </Actions>
      {item.kind === 'document' ? (
        <section>
          <h2>{t('content.versions')}</h2>
          <Table
            ctx={ctx}
            caption={t('content.versions')}
            rows={p.documents}
            empty={t('content.no_versions')}
            columns={[
              { label: t('content.version'), rowHeader: true, cell: (f) => <a href={`/fichiers/${f.id}/${f.name}`}>{`v${f.version_number} — ${f.name}`}</a> },
              { label: t('content.note'), cell: (f) => f.note ?? '' },
              { label: t('content.field.updated'), cell: (f) => formatDateTime(f.created_at, ctx.locale) },
              { label: t('content.field.status'), cell: (f) => (f.id === item.document_file_id ? t('content.working_version') : '') + (live?.document_file_id === f.id ? ` ${t('content.live_badge')}` : '') },
            ]}
          />
          {rights.edit ? (
            <form method="post" action={`/contenus/${item.id}/versions`} enctype="multipart/form-data" class="stack">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(item.version)} />
              <Field ctx={ctx} name="file" label={t('content.new_version')} type="file" required errors={errors} hint={t('content.hint.document')} />
              <Field ctx={ctx} name="note" label={t('content.note')} maxlength={300} />
              <button type="submit" class="button button-secondary">
                {t('content.upload')}
              </button>
            </form>
          ) : null}
        </section>
      ) : (
        <section>
          <h2>{t('content.images')}</h2>
          {p.images.length ? (
            <ul class="image-list">
              {p.images.map((i) => (
                <li>
                  <img src={`/fichiers/${i.id}/${i.name}`} alt={i.alt ?? ''} width={120} loading="lazy" />
                  <span>{i.alt}</span>
                  {/* Without JavaScript, editors paste this into the HTML of the text. */}
                  <code class="snippet">{`<img src="/fichiers/${i.id}/${i.name}" alt="${(i.alt ?? '').replace(/"/g, '&quot;')}">`}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">{t('content.no_images')}</p>
          )}
          {rights.edit ? (
            <form method="post" action={`/contenus/${item.id}/images`} enctype="multipart/form-data" class="stack">
              <CsrfField ctx={ctx} />
              <Field ctx={ctx} name="file" label={t('content.image_file')} type="file" accept="image/png,image/jpeg,image/webp,image/gif" required errors={errors} hint={t('content.hint.image_file')} />
              <Field ctx={ctx} name="alt" label={t('content.image_alt')} required errors={errors} hint={t('content.hint.alt')} maxlength={250} />
              <button type="submit" class="button button-secondary">
                {t('content.upload')}
              </button>
            </form>
          ) : null}
        </section>
      )}
      <h2>{t('content.history')}</h2>
      <ol class="timeline">
        {p.log.map((l) => (
          <li>
            <strong>{t(`content.log.${l.action}`)}</strong> — {l.actor_name}, {formatDateTime(l.at, ctx.locale)}
            {l.comment ? <p class="muted">{l.action === 'schedule' || l.action === 'publish' ? formatDateTime(l.comment, ctx.locale) : l.comment}</p> : null}
          </li>
        ))}
      </ol>
    </Page>
  );
}

function DiffText({ parts }: { parts: Change[] }) {
  return (
    <p class="diff">
      {parts.map((c) => (c.added ? <ins class="diff-after">{c.value}</ins> : c.removed ? <del class="diff-before">{c.value}</del> : <span>{c.value}</span>))}
    </p>
  );
}

export function RevisionsPage(p: { ctx: ViewContext; item: ItemRow; revisions: RevisionRow[]; canRestore: boolean; a?: number; b?: number; diffs?: { label: string; parts: Change[] }[] }) {
  const { ctx, item } = p;
  const t = ctx.t;
  const opts = p.revisions.map((r) => ({ value: String(r.number), label: `#${r.number} — ${formatDateTime(r.created_at, ctx.locale)} — ${r.author_name}` }));
  return (
    <Page ctx={ctx} title={t('content.revisions_of', { title: item.title })} crumbs={[...crumbsRoot(ctx), { label: item.title, href: `/contenus/${item.id}` }, { label: t('content.revisions') }]}>
      <form method="get" action={`/contenus/${item.id}/revisions`} class="toolbar">
        <Select ctx={ctx} name="a" label={t('content.compare_from')} options={opts} value={p.a ? String(p.a) : undefined} />
        <Select ctx={ctx} name="b" label={t('content.compare_to')} options={opts} value={p.b ? String(p.b) : undefined} />
        <button type="submit">{t('content.compare')}</button>
      </form>
      {p.diffs ? (
        <section aria-labelledby="diff-title">
          <h2 id="diff-title">{t('content.diff_title', { a: p.a, b: p.b })}</h2>
          {p.diffs.length === 0 ? <p class="empty">{t('content.no_difference')}</p> : null}
          {p.diffs.map((x) => (
            <div>
              <h3>{x.label}</h3>
              <DiffText parts={x.parts} />
            </div>
          ))}
        </section>
      ) : null}
      <Table
        ctx={ctx}
        caption={t('content.revisions')}
        rows={p.revisions}
        columns={[
          { label: t('content.field.revision'), rowHeader: true, cell: (r) => `#${r.number}` },
          { label: t('content.field.updated'), cell: (r) => formatDateTime(r.created_at, ctx.locale) },
          { label: t('content.author'), cell: (r) => r.author_name },
          { label: t('content.note'), cell: (r) => t(`content.rev.${r.note.split(' ')[0]}`, { n: r.note.split(' ')[1] }) },
          {
            label: t('common.actions'),
            cell: (r) => (p.canRestore && r.number !== item.revision ? <PostButton ctx={ctx} action={`/contenus/${item.id}/revisions/${r.number}/restaurer`} label={t('content.restore')} fields={{ version: item.version }} /> : ''),
          },
        ]}
      />
    </Page>
  );
}

export function SettingsPage(p: { ctx: ViewContext; sections: { id: number; name: string; description: string }[]; folders: { id: number; name: string; parent_id: number | null }[]; links: LinkRow[]; errors?: Errors; form?: string }) {
  const { ctx, errors } = p;
  const t = ctx.t;
  const e = (f: string) => (p.form === f ? errors : undefined);
  return (
    <Page ctx={ctx} title={t('content.settings')} crumbs={[...crumbsRoot(ctx), { label: t('content.settings') }]}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <h2>{t('content.sections')}</h2>
      <p>{t('content.sections_help')}</p>
      <ul>
        {p.sections.map((s) => (
          <li>
            <a href={`/contenus/rubriques/${s.id}`}>{s.name}</a> {s.description ? <span class="muted">— {s.description}</span> : null}
          </li>
        ))}
      </ul>
      <form method="post" action="/contenus/rubriques" class="stack">
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="name" id="f-section-name" label={t('content.section_name')} required errors={e('section')} maxlength={120} />
        <Field ctx={ctx} name="description" id="f-section-description" label={t('content.section_description')} maxlength={500} />
        <button type="submit" class="button button-secondary">
          {t('content.add_section')}
        </button>
      </form>
      <h2>{t('content.folders')}</h2>
      <ul>
        {p.folders.map((f) => (
          <li>{f.name}</li>
        ))}
      </ul>
      <form method="post" action="/contenus/dossiers" class="stack">
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="name" id="f-folder-name" label={t('content.folder_name')} required errors={e('folder')} maxlength={120} />
        <button type="submit" class="button button-secondary">
          {t('content.add_folder')}
        </button>
      </form>
      <h2>{t('content.links')}</h2>
      <ul>
        {p.links.map((l) => (
          <li>
            <a href={l.url}>{l.title}</a> <PostButton ctx={ctx} action={`/contenus/liens/${l.id}/supprimer`} label={t('content.remove_link', { title: l.title })} variant="danger" />
          </li>
        ))}
      </ul>
      <form method="post" action="/contenus/liens" class="stack">
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="title" id="f-link-title" label={t('content.link_title')} required errors={e('link')} maxlength={120} />
        <Field ctx={ctx} name="url" id="f-link-url" label={t('content.link_url')} required errors={e('link')} maxlength={500} hint={t('content.hint.link_url')} />
        <button type="submit" class="button button-secondary">
          {t('content.add_link')}
        </button>
      </form>
    </Page>
  );
}

export function SectionPage(p: { ctx: ViewContext; section: { id: number; name: string }; rights: { user_id: number; name: string; email: string; can_publish: number }[]; users: { id: number; name: string }[]; errors?: Errors }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('content.section_rights', { name: p.section.name })} crumbs={[...crumbsRoot(ctx), { label: t('content.settings'), href: '/contenus/reglages' }, { label: p.section.name }]}>
      <p>{t('content.section_rights_help')}</p>
      <Table
        ctx={ctx}
        caption={t('content.section_rights', { name: p.section.name })}
        rows={p.rights}
        empty={t('content.section_open')}
        columns={[
          { label: t('content.person'), rowHeader: true, cell: (r) => r.name },
          { label: t('content.right'), cell: (r) => (r.can_publish ? t('content.right.publish') : t('content.right.edit')) },
          { label: t('common.actions'), cell: (r) => <PostButton ctx={ctx} action={`/contenus/rubriques/${p.section.id}/droits`} label={t('content.remove_right', { name: r.name })} fields={{ user_id: r.user_id, right: 'none' }} /> },
        ]}
      />
      <form method="post" action={`/contenus/rubriques/${p.section.id}/droits`} class="stack">
        <CsrfField ctx={ctx} />
        <ErrorSummary ctx={ctx} errors={p.errors} />
        <Select ctx={ctx} name="user_id" label={t('content.person')} options={p.users.map((u) => ({ value: String(u.id), label: u.name }))} required errors={p.errors} />
        <Select ctx={ctx} name="right" label={t('content.right')} options={[{ value: 'edit', label: t('content.right.edit') }, { value: 'publish', label: t('content.right.publish') }]} />
        <button type="submit" class="button button-secondary">
          {t('content.grant')}
        </button>
      </form>
    </Page>
  );
}

export { formatDate };
