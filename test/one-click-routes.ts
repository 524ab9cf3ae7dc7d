// Public POST routes declared `{ oneClick: true }` (RFC 8058 one-click unsubscribe: a mail client
// posts with no cookie and no CSRF token; the signed token in the URL is the key). The platform's
// CSRF hook skips exactly these. The adversarial suites (adversarial-helpers.ts re-exports this)
// leave them out of the CSRF probe; test/mailing.test.ts checks the list against the route
// tables and that a forged token is refused.
export const ONE_CLICK_ROUTES: ReadonlySet<string> = new Set(['POST /desabonnement/:token']);
