// Directory pages: search, a person's card, the org chart, forms.
import type { ComponentChildren } from 'preact';
import { Actions, ButtonLink, ErrorSummary, Facts, Field, Pagination, Select, type Errors } from '../../platform/ui/components.js';
import { CsrfField, Page } from '../../platform/ui/layout.js';
import type { ViewContext } from '../../platform/ui/view-context.js';
import type { Person, Service } from './directory.service.js';

const root = (ctx: ViewContext) => [{ label: ctx.t('app.home'), href: '/portail' }, { label: ctx.t('directory.title'), href: '/annuaire' }];

function Photo({ p, size = 'small' }: { p: Person; size?: 'small' | 'large' }) {
  // The name is next to the photo: the image is decorative (alt="").
  return p.photo_key ? <img class={`person-photo person-photo-${size}`} src={`/annuaire/photos/${p.id}?v=${p.photo_key.slice(0, 8)}`} alt="" width={size === 'large' ? 160 : 56} height={size === 'large' ? 160 : 56} /> : <span class={`person-photo person-photo-${size} person-initials`} aria-hidden="true">{p.name.split(/\s+/).map((w) => w[0]).slice(0, 2).join('')}</span>;
}

export function PersonCard({ ctx, p }: { ctx: ViewContext; p: Person }) {
  return (
    <li class="card person-card">
      <Photo p={p} />
      <div>
        <h2 class="card-title">
          <a href={`/annuaire/personnes/${p.id}`}>{p.name}</a>
        </h2>
        {p.job_title ? <p>{p.job_title}</p> : null}
        {p.service_name ? <p class="muted">{p.service_name}</p> : null}
        {p.phone ? (
          <p>
            <span class="visually-hidden">{ctx.t('directory.phone')} : </span>
            <a href={`tel:${p.phone.replace(/[^+0-9]/g, '')}`}>{p.phone}</a>
          </p>
        ) : null}
      </div>
    </li>
  );
}

export function SearchPage(p: { ctx: ViewContext; people: Person[]; total: number; page: number; query: Record<string, string | undefined>; services: Service[] }) {
  const t = p.ctx.t;
  return (
    <Page ctx={p.ctx} title={t('directory.title')} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('directory.title') }]}>
      <Actions>
        <a href="/annuaire/services">{t('directory.org_chart')}</a>
        {p.ctx.user ? <a href={`/annuaire/personnes/${p.ctx.user.id}`}>{t('directory.my_entry')}</a> : null}
      </Actions>
      <form method="get" action="/annuaire" role="search" class="toolbar">
        <div class="field">
          <label for="dir-q">{t('directory.search_label')}</label>
          <input id="dir-q" type="search" name="q" value={p.query.q ?? ''} maxLength={100} />
        </div>
        <Select ctx={p.ctx} name="service" id="dir-service" label={t('directory.service')} empty={t('common.all')} value={p.query.service} options={p.services.map((s) => ({ value: String(s.id), label: s.name }))} />
        <div class="field">
          <label for="dir-skill">{t('directory.skill')}</label>
          <input id="dir-skill" type="search" name="competence" value={p.query.competence ?? ''} maxLength={60} />
        </div>
        <button type="submit">{t('app.search')}</button>
      </form>
      {p.people.length === 0 ? (
        <p class="empty">{t('common.no_results')}</p>
      ) : (
        <ul class="cards people">
          {p.people.map((x) => (
            <PersonCard ctx={p.ctx} p={x} />
          ))}
        </ul>
      )}
      <Pagination ctx={p.ctx} page={p.page} perPage={48} total={p.total} path="/annuaire" query={p.query} />
    </Page>
  );
}

export function PersonPage(p: { ctx: ViewContext; person: Person; manager?: Person; reports: Person[]; canEdit: boolean }) {
  const t = p.ctx.t;
  const x = p.person;
  const tel = (v: string) => <a href={`tel:${v.replace(/[^+0-9]/g, '')}`}>{v}</a>;
  return (
    <Page ctx={p.ctx} title={x.name} crumbs={[...root(p.ctx), { label: x.name }]}>
      <div class="person-head">
        <Photo p={x} size="large" />
        <Facts
          items={[
            [t('directory.job_title'), x.job_title || '—'],
            [t('directory.service'), x.service_id ? <a href={`/annuaire/services/${x.service_id}`}>{x.service_name}</a> : '—'],
            [t('directory.email'), <a href={`mailto:${x.email}`}>{x.email}</a>],
            [t('directory.phone'), x.phone ? tel(x.phone) : '—'],
            [t('directory.mobile'), x.mobile ? tel(x.mobile) : '—'],
            [t('directory.office'), x.office || '—'],
            [t('directory.manager'), p.manager ? <a href={`/annuaire/personnes/${p.manager.id}`}>{p.manager.name}</a> : '—'],
          ]}
        />
      </div>
      {x.skills ? (
        <>
          <h2>{t('directory.skills')}</h2>
          <ul class="tags">
            {x.skills.split(', ').map((s) => (
              <li>
                <a href={`/annuaire?competence=${encodeURIComponent(s)}`}>{s}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {p.reports.length ? (
        <>
          <h2>{t('directory.reports')}</h2>
          <ul>
            {p.reports.map((r) => (
              <li>
                <a href={`/annuaire/personnes/${r.id}`}>{r.name}</a> {r.job_title ? <span class="muted">— {r.job_title}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {p.canEdit ? (
        <Actions>
          <ButtonLink href={`/annuaire/personnes/${x.id}/modifier`}>{t('directory.edit_entry')}</ButtonLink>
        </Actions>
      ) : null}
    </Page>
  );
}

export function ProfileForm(p: { ctx: ViewContext; person: Person; values: Record<string, string | undefined>; services: Service[]; errors?: Errors }) {
  const t = p.ctx.t;
  const v = p.values;
  return (
    <Page ctx={p.ctx} title={t('directory.edit_title', { name: p.person.name })} crumbs={[...root(p.ctx), { label: p.person.name, href: `/annuaire/personnes/${p.person.id}` }, { label: t('common.edit') }]}>
      <ErrorSummary ctx={p.ctx} errors={p.errors} />
      <form method="post" action={`/annuaire/personnes/${p.person.id}/modifier`} class="stack" novalidate>
        <CsrfField ctx={p.ctx} />
        <input type="hidden" name="version" value={String(p.person.version ?? 0)} />
        <Field ctx={p.ctx} name="job_title" label={t('directory.job_title')} value={v.job_title} errors={p.errors} maxlength={120} />
        <Select ctx={p.ctx} name="service_id" label={t('directory.service')} empty={t('common.none')} value={v.service_id} errors={p.errors} options={p.services.map((s) => ({ value: String(s.id), label: s.name }))} />
        <Field ctx={p.ctx} name="phone" label={t('directory.phone')} type="tel" autocomplete="tel" value={v.phone} errors={p.errors} />
        <Field ctx={p.ctx} name="mobile" label={t('directory.mobile')} type="tel" value={v.mobile} errors={p.errors} />
        <Field ctx={p.ctx} name="office" label={t('directory.office')} value={v.office} errors={p.errors} maxlength={120} />
        <Field ctx={p.ctx} name="skills" label={t('directory.skills')} value={v.skills} errors={p.errors} multiline rows={3} hint={t('directory.skills_hint')} />
        <Actions>
          <button type="submit" class="button button-primary">
            {t('common.save')}
          </button>
          <a href={`/annuaire/personnes/${p.person.id}`}>{t('common.cancel')}</a>
        </Actions>
      </form>
      <h2>{t('directory.photo')}</h2>
      <form method="post" action={`/annuaire/personnes/${p.person.id}/photo`} enctype="multipart/form-data" class="stack">
        <CsrfField ctx={p.ctx} />
        <Field ctx={p.ctx} name="photo" label={t('directory.photo_file')} type="file" accept="image/jpeg,image/png,image/webp" errors={p.errors} hint={t('directory.photo_hint')} />
        <button type="submit" class="button button-secondary">
          {t('directory.photo_send')}
        </button>
      </form>
    </Page>
  );
}

function Tree({ ctx, services, parent, counts, heads }: { ctx: ViewContext; services: Service[]; parent: number | null; counts: Map<number, number>; heads: Map<number, string> }): ComponentChildren {
  const children = services.filter((s) => s.parent_id === parent);
  if (!children.length) return null;
  return (
    <ul class={parent === null ? 'org-chart' : undefined}>
      {children.map((s) => (
        <li>
          <a href={`/annuaire/services/${s.id}`}>{s.name}</a>
          <span class="muted">
            {s.head_user_id && heads.get(s.head_user_id) ? ` — ${ctx.t('directory.head')} : ${heads.get(s.head_user_id)}` : ''} · {ctx.t('directory.people_count', { n: counts.get(s.id) ?? 0 })}
          </span>
          <Tree ctx={ctx} services={services} parent={s.id} counts={counts} heads={heads} />
        </li>
      ))}
    </ul>
  );
}

export function OrgChartPage(p: { ctx: ViewContext; services: Service[]; counts: Map<number, number>; heads: Map<number, string>; canEdit: boolean }) {
  const t = p.ctx.t;
  return (
    <Page ctx={p.ctx} title={t('directory.org_chart')} crumbs={[...root(p.ctx), { label: t('directory.org_chart') }]}>
      {p.services.length ? <Tree ctx={p.ctx} services={p.services} parent={null} counts={p.counts} heads={p.heads} /> : <p class="empty">{t('directory.no_services')}</p>}
      {p.canEdit ? (
        <Actions>
          <ButtonLink href="/annuaire/services/nouveau">{t('directory.new_service')}</ButtonLink>
        </Actions>
      ) : null}
    </Page>
  );
}

export function ServicePage(p: { ctx: ViewContext; service: Service; parent?: Service; subs: Service[]; people: Person[]; head?: Person; canEdit: boolean }) {
  const t = p.ctx.t;
  const s = p.service;
  return (
    <Page ctx={p.ctx} title={s.name} crumbs={[...root(p.ctx), { label: t('directory.org_chart'), href: '/annuaire/services' }, { label: s.name }]}>
      {s.description ? <p>{s.description}</p> : null}
      <Facts
        items={[
          [t('directory.head'), p.head ? <a href={`/annuaire/personnes/${p.head.id}`}>{p.head.name}</a> : '—'],
          [t('directory.parent_service'), p.parent ? <a href={`/annuaire/services/${p.parent.id}`}>{p.parent.name}</a> : '—'],
          [t('directory.email'), s.email ? <a href={`mailto:${s.email}`}>{s.email}</a> : '—'],
          [t('directory.phone'), s.phone ?? '—'],
        ]}
      />
      {p.subs.length ? (
        <>
          <h2>{t('directory.sub_services')}</h2>
          <ul>
            {p.subs.map((x) => (
              <li>
                <a href={`/annuaire/services/${x.id}`}>{x.name}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>{t('directory.members')}</h2>
      {p.people.length ? (
        <ul class="cards people">
          {p.people.map((x) => (
            <PersonCard ctx={p.ctx} p={x} />
          ))}
        </ul>
      ) : (
        <p class="empty">{t('common.no_results')}</p>
      )}
      {p.canEdit ? (
        <Actions>
          <ButtonLink href={`/annuaire/services/${s.id}/modifier`}>{t('common.edit')}</ButtonLink>
        </Actions>
      ) : null}
    </Page>
  );
}

export function ServiceForm(p: { ctx: ViewContext; service?: Service; values: Record<string, string | undefined>; services: Service[]; users: { id: number; name: string }[]; errors?: Errors }) {
  const t = p.ctx.t;
  const v = p.values;
  const title = p.service ? t('directory.edit_service', { name: p.service.name }) : t('directory.new_service');
  return (
    <Page ctx={p.ctx} title={title} crumbs={[...root(p.ctx), { label: t('directory.org_chart'), href: '/annuaire/services' }, { label: title }]}>
      <ErrorSummary ctx={p.ctx} errors={p.errors} />
      <form method="post" action={p.service ? `/annuaire/services/${p.service.id}` : '/annuaire/services'} class="stack" novalidate>
        <CsrfField ctx={p.ctx} />
        {p.service ? <input type="hidden" name="version" value={String(p.service.version)} /> : null}
        <Field ctx={p.ctx} name="name" label={t('directory.service_name')} value={v.name} errors={p.errors} required maxlength={120} />
        <Select ctx={p.ctx} name="parent_id" label={t('directory.parent_service')} empty={t('common.none')} value={v.parent_id} errors={p.errors} options={p.services.filter((s) => s.id !== p.service?.id).map((s) => ({ value: String(s.id), label: s.name }))} />
        <Select ctx={p.ctx} name="head_user_id" label={t('directory.head')} empty={t('common.none')} value={v.head_user_id} errors={p.errors} options={p.users.map((u) => ({ value: String(u.id), label: u.name }))} />
        <Field ctx={p.ctx} name="description" label={t('directory.description')} value={v.description} multiline rows={3} />
        <Field ctx={p.ctx} name="email" label={t('directory.email')} type="email" value={v.email} errors={p.errors} />
        <Field ctx={p.ctx} name="phone" label={t('directory.phone')} type="tel" value={v.phone} errors={p.errors} />
        <Field ctx={p.ctx} name="position" label={t('directory.position')} type="number" min={0} max={999} value={v.position} errors={p.errors} />
        <Actions>
          <button type="submit" class="button button-primary">
            {t('common.save')}
          </button>
        </Actions>
      </form>
    </Page>
  );
}
