// The one page shell of the staff portal: skip link, header (brand, global search, language,
// user, sign-out), navigation built from the modules the user may use, breadcrumbs, flash
// messages. The extranet and the public site reuse it with their own navigation.
import type { ComponentChildren } from 'preact';
import { asset } from '../http/assets.js';
import type { ViewContext } from './view-context.js';

export interface Crumb {
  label: string;
  href?: string;
}

export interface PageProps {
  ctx: ViewContext;
  title: string;
  crumbs?: Crumb[];
  /** extra class on <main> for full-width pages (maps, boards) */
  wide?: boolean;
  description?: string;
  /** the public site's (or extranet's) top navigation, shown under the header */
  topNav?: { label: string; href: string; current?: boolean }[];
  topNavLabel?: string;
  children?: ComponentChildren;
}

export function CsrfField({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrf} />;
}

function LanguageSwitch({ ctx }: { ctx: ViewContext }) {
  const other = ctx.locale === 'fr' ? 'en' : 'fr';
  const next = encodeURIComponent(ctx.path);
  return (
    <a class="lang-switch" href={`/lang/${other}?next=${next}`} lang={other} hreflang={other}>
      {ctx.t(other === 'en' ? 'app.switch_to_en' : 'app.switch_to_fr')}
    </a>
  );
}

function Flashes({ ctx }: { ctx: ViewContext }) {
  if (ctx.flashes.length === 0 && ctx.warnings.length === 0) return null;
  return (
    <div class="flashes">
      {ctx.warnings.map((w) => (
        <p class="flash flash-info" role="status">
          {w}
        </p>
      ))}
      {ctx.flashes.map((f) => (
        <p class={`flash flash-${f.kind}`} role={f.kind === 'error' ? 'alert' : 'status'}>
          {ctx.t(f.key, f.params)}
        </p>
      ))}
    </div>
  );
}

export function Breadcrumbs({ ctx, crumbs }: { ctx: ViewContext; crumbs: Crumb[] }) {
  if (crumbs.length === 0) return null;
  return (
    <nav aria-label={ctx.t('app.breadcrumb')} class="breadcrumbs">
      <ol>
        {crumbs.map((c, i) => (
          <li>{c.href && i < crumbs.length - 1 ? <a href={c.href}>{c.label}</a> : <span aria-current={i === crumbs.length - 1 ? 'page' : undefined}>{c.label}</span>}</li>
        ))}
      </ol>
    </nav>
  );
}

function MainNav({ ctx }: { ctx: ViewContext }) {
  if (ctx.nav.length === 0) return null;
  // Visible by default (no script needed); on a phone, app.js folds it behind the Menu button.
  return (
    <div class="nav-wrap">
      <button type="button" class="nav-toggle" aria-expanded="false" aria-controls="main-nav" hidden>
        {ctx.t('app.menu')}
      </button>
      <nav id="main-nav" aria-label={ctx.t('app.main_nav')} class="main-nav">
        {ctx.nav.map((s) => (
          <div class="nav-section">
            <p class="nav-heading">{s.label}</p>
            <ul>
              {s.links.map((l) => (
                <li>
                  <a href={l.href} aria-current={l.current ? 'page' : undefined}>
                    {l.label}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
    </div>
  );
}

export function Page({ ctx, title, crumbs = [], wide, description, topNav, topNavLabel, children }: PageProps) {
  const t = ctx.t;
  const signedIn = ctx.user !== undefined;
  const home = ctx.shell === 'member' ? '/extranet' : ctx.shell === 'public' ? '/' : '/portail';
  return (
    <html lang={ctx.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — ${ctx.shell === 'public' ? ctx.cciName : t('app.name')}`}</title>
        {description ? <meta name="description" content={description} /> : null}
        <meta name="csrf-token" content={ctx.csrf} />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        <link rel="stylesheet" href={asset('/static/app.css')} />
        <link rel="icon" href={asset('/static/favicon.svg')} type="image/svg+xml" />
        <script src={asset('/static/htmx.min.js')} defer></script>
        <script src={asset('/static/app.js')} defer></script>
      </head>
      <body class={`shell-${ctx.shell ?? 'staff'}`}>
        <a class="skip-link" href="#main">
          {t('app.skip_to_content')}
        </a>
        {ctx.demo ? (
          <p class="demo-banner" role="note">
            {t('app.demo_banner')}
          </p>
        ) : null}
        <header class="site-header">
          <div class="header-inner">
            <a class="brand" href={home}>
              <span class="brand-name">{t('app.name')}</span>
              <span class="brand-cci">{ctx.cciName}</span>
            </a>
            {signedIn && ctx.shell !== 'public' && ctx.shell !== 'member' ? (
              <form class="global-search" role="search" action="/recherche" method="get">
                <label for="global-q" class="visually-hidden">
                  {t('app.search_label')}
                </label>
                <input id="global-q" type="search" name="q" placeholder={t('app.search_placeholder')} autocomplete="off" />
                <button type="submit">{t('app.search')}</button>
              </form>
            ) : null}
            <div class="header-tools">
              <LanguageSwitch ctx={ctx} />
              {signedIn ? (
                <>
                  <a href={ctx.shell === 'member' ? '/extranet/compte' : '/compte'} class="user-link">
                    <span class="visually-hidden">{t('app.my_account')} : </span>
                    {ctx.user!.name}
                  </a>
                  {/* app.js clears what this device keeps (offline drafts) on sign-out, and says beforehand how many unsent drafts will go. */}
                  <form method="post" action={ctx.shell === 'member' ? '/extranet/deconnexion' : '/deconnexion'} class="inline-form" data-signout="">
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="link-button" aria-describedby="unsent-drafts">
                      {t('app.sign_out')}
                    </button>
                  </form>
                  <p id="unsent-drafts" class="unsent-drafts" role="status" hidden data-one={t('app.unsent_drafts_one')} data-many={t('app.unsent_drafts_many')}></p>
                </>
              ) : null}
            </div>
          </div>
        </header>
        {topNav && topNav.length ? (
          <nav class="site-nav" aria-label={topNavLabel ?? t('app.main_nav')}>
            <ul>
              {topNav.map((l) => (
                <li>
                  <a href={l.href} aria-current={l.current ? 'page' : undefined}>
                    {l.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <div class={`layout${ctx.nav.length ? ' with-nav' : ''}`}>
          <MainNav ctx={ctx} />
          <main id="main" class={wide ? 'main wide' : 'main'} tabindex={-1}>
            <Breadcrumbs ctx={ctx} crumbs={crumbs} />
            <Flashes ctx={ctx} />
            <h1>{title}</h1>
            {children}
          </main>
        </div>
        <footer class="site-footer">
          <p>
            {t('app.footer_legal')} · {ctx.cciName} · <a href="/accessibilite">{t('app.footer_accessibility')}</a> · <a href="/mesure-audience">{t('app.footer_audience')}</a>
          </p>
        </footer>
      </body>
    </html>
  );
}
