// Environment → typed, validated configuration. Fails fast with a message that names the
// variable at fault, so a misconfigured server never half-starts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** undefined → embedded SQLite in dataDir */
  databaseUrl?: string;
  smtpUrl?: string;
  /** SMTP sender address */
  mailFrom: string;
  publicUrl: string;
  sessionSecret: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  production: boolean;
  /** demo mode: banner, outbox page readable by admins, demo seed on an empty database */
  demo: boolean;
  /** CCI territory override (départements or communes), e.g. "42,69" */
  territory?: string[];
  /** session lifetimes in seconds */
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  /** run background jobs in this process */
  runJobs: boolean;
  /** the admin role must enrol a TOTP second factor (always in production) */
  adminTotpRequired: boolean;
  /** usage statistics: raw events kept this many days before the purge (rolled-up figures stay) */
  statsRawDays: number;
  /** usage statistics counted at all (STATS_COUNTING=0 turns counting off) */
  statsCounting: boolean;
  /** heavy reads off the request path (platform/db/reads.ts, ADR 0009) */
  reads: {
    /** SQLite: worker threads for heavy reads (one more serves record pages) */
    workers: number;
    /** PostgreSQL: connections of the read pool, beside the main pool */
    poolSize: number;
    /** time limit of one read statement, and of a wait for a worker or connection */
    timeoutMs: number;
    /** reads that may wait; one more is answered 503 at once */
    queueLimit: number;
  };
  /** operations (src/platform/ops, docs/OPERATIONS.md) */
  ops?: OpsConfig;
}

export interface OpsConfig {
  /** SIGTERM: how long running jobs get to reach a safe point before the process exits */
  shutdownSeconds: number;
  /** where `consulaire backup` and the scheduled backup write (default DATA_DIR/backups) */
  backupDir: string;
  /** hours between scheduled backups (0: none); one instance takes each slot */
  backupEveryHours: number;
  /** retention: newest backup of each of the last N days / ISO weeks / months is kept */
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
  /** 32-byte key (base64 or hex) from BACKUP_KEY: backups are encrypted (AES-256-GCM) */
  backupKey?: Buffer;
  /** METRICS_TOKEN: bearer token for /metrics from other hosts (loopback always may read) */
  metricsToken?: string;
}

export class ConfigError extends Error {
  constructor(
    public readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `expected a number between ${min} and ${max}, got ${n}`);
  return n;
}

function urlVar(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `expected a URL starting with ${protocols.join(' or ')}, got ${url.protocol}`);
  }
  return raw;
}

/** Reads SESSION_SECRET, or a secret kept in DATA_DIR (generated on first start). */
function sessionSecret(env: NodeJS.ProcessEnv, dataDir: string): string {
  const raw = env.SESSION_SECRET;
  if (raw !== undefined && raw !== '') {
    if (raw.length < 32) throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters long');
    return raw;
  }
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** BACKUP_KEY: 32 bytes, written as 64 hex digits or base64 (`openssl rand -base64 32`). */
function backupKey(env: NodeJS.ProcessEnv): Buffer | undefined {
  const raw = env.BACKUP_KEY?.trim();
  if (!raw) return undefined;
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new ConfigError('BACKUP_KEY', 'expected 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)');
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : './data');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new ConfigError('DATA_DIR', `cannot create ${dataDir}: ${(e as Error).message}`);
  }
  const port = intVar(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST && env.HOST !== '' ? env.HOST : production ? '0.0.0.0' : '127.0.0.1';
  const databaseUrl = urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const smtpUrl = urlVar(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  const publicUrl = urlVar(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const logLevel = (env.LOG_LEVEL && env.LOG_LEVEL !== '' ? env.LOG_LEVEL : 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  let territory: string[] | undefined;
  if (env.CCI_TERRITORY && env.CCI_TERRITORY.trim() !== '') {
    territory = env.CCI_TERRITORY.split(',').map((s) => s.trim().toUpperCase());
    for (const code of territory) {
      if (!/^(\d{2}|2A|2B|97\d|\d{5}|2[AB]\d{3})$/.test(code)) {
        throw new ConfigError('CCI_TERRITORY', `"${code}" is neither a département nor a commune code`);
      }
    }
  }
  const mailFrom = env.MAIL_FROM && env.MAIL_FROM !== '' ? env.MAIL_FROM : 'Consulaire <no-reply@consulaire.localhost>';
  return {
    port,
    host,
    dataDir,
    databaseUrl,
    smtpUrl,
    mailFrom,
    publicUrl: publicUrl.replace(/\/$/, ''),
    sessionSecret: sessionSecret(env, dataDir),
    logLevel,
    production,
    demo: !production && env.CONSULAIRE_DEMO !== '0',
    territory,
    sessionIdleSeconds: intVar(env, 'SESSION_IDLE_MINUTES', 120, 1, 60 * 24 * 30) * 60,
    sessionAbsoluteSeconds: intVar(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 90) * 3600,
    runJobs: env.RUN_JOBS !== '0',
    adminTotpRequired: production || env.ADMIN_TOTP_REQUIRED === '1',
    statsRawDays: intVar(env, 'STATS_RAW_DAYS', 30, 2, 3650),
    statsCounting: env.STATS_COUNTING !== '0',
    reads: {
      workers: intVar(env, 'READ_WORKERS', 2, 1, 32),
      poolSize: intVar(env, 'READ_POOL_SIZE', 4, 1, 100),
      timeoutMs: intVar(env, 'READ_TIMEOUT_MS', 5000, 100, 600_000),
      queueLimit: intVar(env, 'READ_QUEUE', 64, 0, 10_000),
    },
    ops: {
      shutdownSeconds: intVar(env, 'SHUTDOWN_SECONDS', 25, 1, 3600),
      backupDir: path.resolve(env.BACKUP_DIR && env.BACKUP_DIR !== '' ? env.BACKUP_DIR : path.join(dataDir, 'backups')),
      backupEveryHours: intVar(env, 'BACKUP_EVERY_HOURS', 0, 0, 24 * 31),
      keepDaily: intVar(env, 'BACKUP_KEEP_DAILY', 7, 0, 366),
      keepWeekly: intVar(env, 'BACKUP_KEEP_WEEKLY', 5, 0, 520),
      keepMonthly: intVar(env, 'BACKUP_KEEP_MONTHLY', 12, 0, 1200),
      backupKey: backupKey(env),
      metricsToken: env.METRICS_TOKEN && env.METRICS_TOKEN !== '' ? env.METRICS_TOKEN : undefined,
    },
    ...overrides,
  };
}
