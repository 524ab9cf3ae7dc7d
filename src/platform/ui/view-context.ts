// Everything a view needs from the request, as plain data: views never see Fastify.
import type { Actor } from '../audit/audit.js';
import type { FlashMessage } from '../http/context.js';
import type { Locale, Translate } from '../i18n/index.js';

export interface NavLink {
  label: string;
  href: string;
  current: boolean;
}
export interface NavSection {
  label: string;
  links: NavLink[];
}

export interface ViewContext {
  t: Translate;
  locale: Locale;
  actor: Actor;
  user?: { id: number; name: string; email: string };
  csrf: string;
  nav: NavSection[];
  demo: boolean;
  cciName: string;
  flashes: FlashMessage[];
  /** path + query of the current page, for the language switch */
  path: string;
  warnings: string[];
  /**
   * links other modules add to the member extranet's navigation: their `nav` entries that need a
   * member permission (`member:use`, `member:admin`), for a member actor only (see MODULES.md)
   */
  memberLinks?: NavLink[];
  /** which shell: staff portal (default), member extranet, public site */
  shell?: 'staff' | 'member' | 'public';
}
