// Argon2id password hashing (OWASP parameters) and the password policy.
import { Algorithm, hash, verify } from '@node-rs/argon2';

// 19 MiB, 2 passes: OWASP's minimum for Argon2id. Tests may lower the cost (never production).
let cost = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function useFastHashingForTests(): void {
  cost = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: Algorithm.Argon2id, ...cost });
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // With no stored hash, still spend the time of a verification: unknown accounts and wrong
  // passwords must take as long as each other.
  const target = stored ?? DUMMY_HASH;
  try {
    const ok = await verify(target, password);
    return ok && stored !== null;
  } catch {
    return false;
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0VJp1dM9kUwZ1oXLnm8sBaXcdHkJrLuTxlI8J0Dn5bI';

const COMMON = new Set([
  'motdepasse123',
  'motdepasse1234',
  'azertyuiop123',
  'azertyuiopqsd',
  'password1234',
  'password12345',
  '123456789012',
  'qwertyuiop123',
  'consulaire123',
  'bonjour12345',
  'soleil123456',
  'administrateur',
]);

/** Returns the i18n key of the first broken rule, or null. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < 12) return 'auth.password_too_short';
  if (password.length > 200) return 'auth.password_too_long';
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && password.toLowerCase().includes(local)) return 'auth.password_is_email';
  if (COMMON.has(password.toLowerCase())) return 'auth.password_common';
  return null;
}
