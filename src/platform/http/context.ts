// What the platform adds to every request and reply, and what a route may declare.
import type { Permission } from '../access/permissions.js';
import type { Actor } from '../audit/audit.js';
import type { Locale, Params, Translate } from '../i18n/index.js';
import type { User } from '../auth/users.js';
import type { VNode } from 'preact';
import type { ViewContext } from '../ui/view-context.js';

export interface FlashMessage {
  kind: 'success' | 'error' | 'info';
  key: string;
  params?: Params;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** coarse permission required (route table); absent → `public` or `signedIn` must be set */
    permission?: Permission;
    /** readable by anyone, signed in or not */
    public?: boolean;
    /** any signed-in staff member (account pages) */
    signedIn?: boolean;
    /** the extranet: actor is a member, resolved by the extranet module */
    audience?: 'member';
    /**
     * RFC 8058 one-click unsubscribe: a mail client POSTs to the URL of a List-Unsubscribe header
     * with no cookie and no CSRF token. Only on a `public` POST route whose handler checks the
     * signed token in its own URL (module mailing); no other route skips the CSRF check.
     */
    oneClick?: true;
  }
  interface FastifyRequest {
    actor: Actor;
    /** the staff account behind the actor, when signed in */
    user?: User;
    locale: Locale;
    t: Translate;
    /** cookie value of the staff session, when there is one */
    sessionToken?: string;
    /** user waiting for the TOTP step of sign-in */
    pendingUserId?: number;
    csrfToken: string;
    isHtmx: boolean;
    flashes: FlashMessage[];
    view(extra?: Partial<ViewContext>): ViewContext;
  }
  interface FastifyReply {
    /** renders a full page or fragment (doctype added to full pages) */
    render(node: VNode, status?: number): FastifyReply;
    /** queues a message shown on the next rendered page */
    flash(kind: FlashMessage['kind'], key: string, params?: Params): FastifyReply;
  }
}

export {};
