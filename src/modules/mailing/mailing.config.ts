// The mailing module's settings, read from the environment once (README "Configuration").
// Throttles and the bounce listener belong to the deployment (relay limits, ports), not to the
// CCI's settings page; tracking is the CCI's choice (setting mailing.tracking).

export interface MailingConfig {
  /** messages per second for one campaign (0: no limit) */
  ratePerSecond: number;
  /** messages per second to one recipient domain (0: no limit) */
  ratePerDomain: number;
  /** SMTP connections of the pooled transport */
  connections: number;
  /** a campaign to more recipients than this needs an approval (approvals engine) */
  approvalAbove: number;
  /** soft bounces before an address is suppressed */
  softBounceLimit: number;
  /** temporary failures (4xx) retried this many times, back-off from retrySeconds doubling */
  maxAttempts: number;
  retrySeconds: number;
  /** a sender holds a campaign this long between heartbeats; past it another may take over */
  leaseSeconds: number;
  /** inbound SMTP listener for DSNs: port (undefined: not started) and interface */
  bouncePort?: number;
  bounceHost: string;
  /** domain of the VERP return path (bounces+…@domain); default the MAIL_FROM domain */
  bounceDomain?: string;
  /** shared secret of the relay providers' webhook (undefined: the webhook answers 404) */
  webhookSecret?: string;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: expected a whole number between ${min} and ${max}, got "${raw}"`);
  return n;
}

export function readMailingConfig(env: NodeJS.ProcessEnv = process.env): MailingConfig {
  const port = env.MAILING_BOUNCE_PORT;
  return {
    ratePerSecond: int(env, 'MAILING_RATE', 100, 0, 100_000),
    ratePerDomain: int(env, 'MAILING_RATE_PER_DOMAIN', 20, 0, 100_000),
    connections: int(env, 'MAILING_SMTP_CONNECTIONS', 5, 1, 50),
    approvalAbove: int(env, 'MAILING_APPROVAL_ABOVE', 1000, 0, 10_000_000),
    softBounceLimit: int(env, 'MAILING_SOFT_BOUNCES', 3, 1, 100),
    maxAttempts: int(env, 'MAILING_MAX_ATTEMPTS', 5, 1, 20),
    retrySeconds: int(env, 'MAILING_RETRY_SECONDS', 60, 0, 86_400),
    leaseSeconds: int(env, 'MAILING_LEASE_SECONDS', 30, 1, 3600),
    bouncePort: port === undefined || port === '' ? undefined : int(env, 'MAILING_BOUNCE_PORT', 0, 0, 65535),
    bounceHost: env.MAILING_BOUNCE_HOST || '127.0.0.1',
    bounceDomain: env.MAILING_BOUNCE_DOMAIN || undefined,
    webhookSecret: env.MAILING_WEBHOOK_SECRET && env.MAILING_WEBHOOK_SECRET.length >= 16 ? env.MAILING_WEBHOOK_SECRET : undefined,
  };
}
