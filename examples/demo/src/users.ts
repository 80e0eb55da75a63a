import { randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface User {
  id: string;
  email: string;
  passwordHash: string;
  /** An admin marked this account as one that must use 2FA (besides TWOFA_REQUIRED_EMAILS). */
  required?: boolean;
}

// OWASP's scrypt floor: N=2^17 is stronger but slow on a 2-core CI; 2^15 keeps login < 100 ms.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } satisfies ScryptOptions;
const KEYLEN = 32;

function derive(password: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEYLEN, { ...p, maxmem: PARAMS.maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$hash", so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [tag, N, r, p, salt, hash] = stored.split('$');
  if (tag !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** The demo keeps accounts in memory; a real app has its own users table. */
export class Users {
  private readonly byEmail = new Map<string, User>();
  private readonly byId = new Map<string, User>();
  // Hashing for unknown emails too, so response time does not reveal which accounts exist.
  private readonly decoy = hashPassword(randomBytes(16).toString('hex'));

  async create(email: string, password: string): Promise<User | 'taken'> {
    const key = email.trim().toLowerCase();
    if (this.byEmail.has(key)) return 'taken';
    const user: User = { id: randomUUID(), email: key, passwordHash: await hashPassword(password) };
    this.byEmail.set(key, user);
    this.byId.set(user.id, user);
    return user;
  }

  /** The user if the password matches, else null; same work either way. */
  async authenticate(email: string, password: string): Promise<User | null> {
    const user = this.byEmail.get(email.trim().toLowerCase());
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.decoy));
    return ok && user ? user : null;
  }

  get(id: string): User | undefined {
    return this.byId.get(id);
  }

  /** Every account, oldest first (the admin page). */
  all(): User[] {
    return [...this.byId.values()];
  }

  /** A new password, hashed by the caller with hashPassword(). */
  setPasswordHash(id: string, passwordHash: string): void {
    const user = this.byId.get(id);
    if (user) user.passwordHash = passwordHash;
  }

  setRequired(id: string, required: boolean): void {
    const user = this.byId.get(id);
    if (user) user.required = required;
  }
}
