import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userFromHeaders } from '@/lib/auth/guard';
import { forgetUsers, isRememberingUsers, rememberUsers, stopRememberingUsers } from '@/lib/auth/remembered-users';
import { createSessionValue, SESSION_COOKIE } from '@/lib/auth/tokens';
import { addUser, authenticatePassword, createApiToken, endSessions, revokeApiToken, revokeApiTokens, signIn, updateUser } from '@/lib/services/users';
import { checkHealth } from '@/lib/services/health';
import { getPool } from '@/lib/db';
import { resetDatabase } from '../support/reset';

beforeEach(resetDatabase);

describe('users and sign-in', () => {
  it('signs in with the password it was created with, and not with another', async () => {
    await addUser({ name: 'alice', role: 'admin', password: 'alicepass1' });
    expect(await authenticatePassword('alice', 'alicepass1')).toMatchObject({ name: 'alice', role: 'admin' });
    expect(await authenticatePassword('alice', 'wrong-password')).toBeNull();
    expect(await authenticatePassword('nobody', 'alicepass1')).toBeNull();
  });

  it('generates a password when none is given', async () => {
    const { generatedPassword } = await addUser({ name: 'bob', role: 'curator' });
    expect(generatedPassword).toMatch(/.{12,}/);
    expect(await authenticatePassword('bob', generatedPassword!)).not.toBeNull();
  });

  it('refuses to add a name that exists, keeping its password, unless asked to replace it', async () => {
    const { user } = await addUser({ name: 'alice', role: 'curator', password: 'alicepass1' });
    await expect(addUser({ name: 'alice', role: 'admin', password: 'otherpass1' })).rejects.toMatchObject({ status: 409, body: { id: user.id } });
    expect(await authenticatePassword('alice', 'alicepass1')).toMatchObject({ role: 'curator' });
    await addUser({ name: 'alice', role: 'admin', password: 'otherpass1' }, { replaceExisting: true });
    expect(await authenticatePassword('alice', 'otherpass1')).toMatchObject({ role: 'admin' });
  });

  it('refuses to demote or disable the last admin, and allows it once there is another', async () => {
    const { user: ada } = await addUser({ name: 'ada', role: 'admin', password: 'adapass12' });
    await expect(updateUser(ada.id, { role: 'curator' })).rejects.toMatchObject({ status: 409, message: /last admin/ });
    await expect(updateUser(ada.id, { disabled: true })).rejects.toMatchObject({ status: 409 });
    await addUser({ name: 'bea', role: 'admin', password: 'beapass12' });
    expect(await updateUser(ada.id, { role: 'curator' })).toMatchObject({ role: 'curator' });
  });

  it('refuses a name with a slash and a short password', async () => {
    await expect(addUser({ name: 'a/b', role: 'curator', password: 'longenough' })).rejects.toThrow(/slashes/);
    await expect(addUser({ name: 'carol', role: 'curator', password: 'short' })).rejects.toThrow(/8 characters/);
  });

  it('recognises a bearer token and a session cookie, and nobody once disabled', async () => {
    const { user } = await addUser({ name: 'dave', role: 'curator', password: 'davepass1' });
    const token = await createApiToken('dave');
    expect(await userFromHeaders(new Headers({ authorization: `Bearer ${token}` }))).toMatchObject({ name: 'dave' });
    expect(await userFromHeaders(new Headers({ authorization: 'Bearer fs_not-a-token' }))).toBeNull();
    const cookie = `${SESSION_COOKIE}=${createSessionValue(user.id, user.sessionGeneration)}`;
    expect(await userFromHeaders(new Headers({ cookie }))).toMatchObject({ name: 'dave' });
    await updateUser(user.id, { disabled: true });
    expect(await userFromHeaders(new Headers({ authorization: `Bearer ${token}` }))).toBeNull();
    expect(await userFromHeaders(new Headers({ cookie }))).toBeNull();
  });

  it('ignores a session cookie on a cross-site POST', async () => {
    const { user } = await addUser({ name: 'erin', role: 'admin', password: 'erinpass1' });
    const cookie = `${SESSION_COOKIE}=${createSessionValue(user.id, user.sessionGeneration)}`;
    const crossSite = new Headers({ cookie, host: 'localhost:3000', origin: 'http://evil.example' });
    const sameSite = new Headers({ cookie, host: 'localhost:3000', origin: 'http://localhost:3000' });
    expect(await userFromHeaders(crossSite, 'POST')).toBeNull();
    expect(await userFromHeaders(sameSite, 'POST')).toMatchObject({ name: 'erin' });
  });

  it('refuses a token for a user that does not exist', async () => {
    await expect(createApiToken('ghost')).rejects.toThrow(/no user named "ghost"/);
  });
});

describe('ending sessions and tokens', () => {
  const cookieOf = (session: string) => new Headers({ cookie: `${SESSION_COOKIE}=${session}` });

  it('ends every session of a user on sign-out, a new password or disabling, and keeps them through a role change', async () => {
    await addUser({ name: 'hal', role: 'admin', password: 'halpass12' });
    await addUser({ name: 'ida', role: 'curator', password: 'idapass12' });
    const session = async () => {
      const user = (await signIn('ida', 'idapass12', '192.0.2.10'))!;
      return createSessionValue(user.id, user.sessionGeneration);
    };

    const [laptop, desktop] = [await session(), await session()];
    await endSessions((await userFromHeaders(cookieOf(laptop)))!.id);
    expect(await userFromHeaders(cookieOf(laptop))).toBeNull();
    expect(await userFromHeaders(cookieOf(desktop))).toBeNull();

    const before = await session();
    const ida = (await userFromHeaders(cookieOf(before)))!;
    await updateUser(ida.id, { role: 'admin' });
    expect(await userFromHeaders(cookieOf(before))).toMatchObject({ role: 'admin' });
    await updateUser(ida.id, { password: 'newpass123' });
    expect(await userFromHeaders(cookieOf(before))).toBeNull();

    const signedIn = (await signIn('ida', 'newpass123', '192.0.2.10'))!;
    const fresh = createSessionValue(signedIn.id, signedIn.sessionGeneration);
    await updateUser(ida.id, { disabled: true });
    await updateUser(ida.id, { disabled: false });
    expect(await userFromHeaders(cookieOf(fresh))).toBeNull();
  });

  it('revokes one token, or all of a user’s', async () => {
    await addUser({ name: 'jon', role: 'curator', password: 'jonpass12' });
    const [one, two, three] = [await createApiToken('jon'), await createApiToken('jon'), await createApiToken('jon')];
    const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
    await revokeApiToken(one);
    expect(await userFromHeaders(bearer(one))).toBeNull();
    expect(await userFromHeaders(bearer(two))).toMatchObject({ name: 'jon' });
    await expect(revokeApiToken(one)).rejects.toMatchObject({ status: 404 });
    expect(await revokeApiTokens('jon')).toBe(2);
    expect(await userFromHeaders(bearer(three))).toBeNull();
    await expect(revokeApiTokens('ghost')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a token past its expiry, and keeps one made to last', async () => {
    await addUser({ name: 'kim', role: 'curator', password: 'kimpass12' });
    const lasting = await createApiToken('kim', { expiresInDays: null });
    const expiring = await createApiToken('kim', { expiresInDays: 1 });
    const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
    expect(await userFromHeaders(bearer(expiring))).toMatchObject({ name: 'kim' });
    const { rows } = await getPool().query(`SELECT "expiresAt" - "createdAt" AS lifetime FROM "ApiToken" WHERE "expiresAt" IS NOT NULL`);
    expect(rows.map((row) => row.lifetime.days)).toEqual([1]);
    await getPool().query(`UPDATE "ApiToken" SET "expiresAt" = "createdAt" - interval '1 second' WHERE "expiresAt" IS NOT NULL`);
    expect(await userFromHeaders(bearer(expiring))).toBeNull();
    expect(await userFromHeaders(bearer(lasting))).toMatchObject({ name: 'kim' });
  });

  it('records a token’s last use, at most once a minute', async () => {
    await addUser({ name: 'lea', role: 'curator', password: 'leapass12' });
    const bearer = new Headers({ authorization: `Bearer ${await createApiToken('lea')}` });
    const lastUsed = async () => (await getPool().query(`SELECT "lastUsedAt" FROM "ApiToken"`)).rows[0].lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await userFromHeaders(bearer);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await getPool().query(`UPDATE "ApiToken" SET "lastUsedAt" = "lastUsedAt" - interval '30 seconds'`);
    const backdated = await lastUsed();
    await userFromHeaders(bearer);
    expect(await lastUsed()).toEqual(backdated);
  });
});

describe('sign-in backoff', () => {
  it('makes an account wait after five wrong passwords, even for the right one, and signs in afterwards', async () => {
    await addUser({ name: 'max', role: 'curator', password: 'maxpass12' });
    for (let i = 0; i < 5; i++) expect(await signIn('max', 'wrong-password', `198.18.0.${i}`)).toBeNull();
    // asked while the sixth is still being checked, however long the machine takes for it
    const sixth = signIn('max', 'wrong-password', '198.18.0.5');
    await expect(signIn('max', 'maxpass12', '198.18.1.1')).rejects.toMatchObject({ status: 429, body: { retryAfterSeconds: 1 } });
    expect(await sixth).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await signIn('max', 'maxpass12', '198.18.1.1')).toMatchObject({ name: 'max' });
  });

  it('makes an address wait after twenty failed sign-ins across accounts', async () => {
    for (let i = 0; i < 20; i++) expect(await signIn(`nobody${i}`, 'wrong-password', '198.18.2.1')).toBeNull();
    const last = signIn('nobody20', 'wrong-password', '198.18.2.1');
    await expect(signIn('nobody99', 'wrong-password', '198.18.2.1')).rejects.toMatchObject({ status: 429 });
    expect(await last).toBeNull();
    expect(await signIn('nobody99', 'wrong-password', '198.18.2.2')).toBeNull();
  });
});

describe('health', () => {
  it('reports the database up', async () => {
    expect((await checkHealth()).db).toBe('up');
  });
});

describe('remembering who a token belongs to, as the web server does', () => {
  afterEach(stopRememberingUsers);

  /** Changes a user from another connection with triggers off: a change nobody is told of. */
  async function changeSilently(sql: string) {
    const client = await getPool().connect();
    try {
      await client.query(`SET session_replication_role = replica`);
      await client.query(sql);
    } finally {
      await client.query(`RESET session_replication_role`);
      client.release();
    }
  }

  async function startListening() {
    rememberUsers();
    await expect.poll(isRememberingUsers).toBe(true);
  }

  it('answers from memory, and forgets as soon as another process changes a user', async () => {
    await addUser({ name: 'fay', role: 'curator', password: 'faypass12' });
    const bearer = new Headers({ authorization: `Bearer ${await createApiToken('fay')}` });
    await startListening();
    expect(await userFromHeaders(bearer)).toMatchObject({ role: 'curator' });

    await changeSilently(`UPDATE "User" SET role = 'admin' WHERE name = 'fay'`);
    expect(await userFromHeaders(bearer)).toMatchObject({ role: 'curator' });
    forgetUsers();
    expect(await userFromHeaders(bearer)).toMatchObject({ role: 'admin' });

    await getPool().query(`UPDATE "User" SET disabled = true WHERE name = 'fay'`);
    await expect.poll(() => userFromHeaders(bearer)).toBeNull();
  });

  it('asks the database every time while its listening connection is down, and listens again', async () => {
    await addUser({ name: 'gus', role: 'curator', password: 'guspass12' });
    const bearer = new Headers({ authorization: `Bearer ${await createApiToken('gus')}` });
    await startListening();
    expect(await userFromHeaders(bearer)).toMatchObject({ role: 'curator' });

    await getPool().query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN facesift_users' AND datname = current_database()`);
    await expect.poll(isRememberingUsers).toBe(false);
    await changeSilently(`UPDATE "User" SET role = 'admin' WHERE name = 'gus'`);
    expect(await userFromHeaders(bearer)).toMatchObject({ role: 'admin' });

    await expect.poll(isRememberingUsers, { timeout: 10_000 }).toBe(true);
    await getPool().query(`UPDATE "User" SET disabled = true WHERE name = 'gus'`);
    await expect.poll(() => userFromHeaders(bearer)).toBeNull();
  });

  it('forgets a revoked token at once, whichever process revokes it', async () => {
    await addUser({ name: 'ned', role: 'curator', password: 'nedpass12' });
    const [mine, theirs] = [await createApiToken('ned'), await createApiToken('ned')];
    await startListening();
    const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
    expect(await userFromHeaders(bearer(mine))).toMatchObject({ name: 'ned' });
    expect(await userFromHeaders(bearer(theirs))).toMatchObject({ name: 'ned' });
    await revokeApiToken(mine);
    expect(await userFromHeaders(bearer(mine))).toBeNull();
    await getPool().query(`DELETE FROM "ApiToken" WHERE "userId" = (SELECT id FROM "User" WHERE name = 'ned')`);
    await expect.poll(() => userFromHeaders(bearer(theirs))).toBeNull();
  });

  it('keeps remembering users when only a token’s last use is written', async () => {
    await addUser({ name: 'ola', role: 'curator', password: 'olapass12' });
    const bearer = new Headers({ authorization: `Bearer ${await createApiToken('ola')}` });
    await startListening();
    expect(await userFromHeaders(bearer)).toMatchObject({ role: 'curator' });
    await changeSilently(`UPDATE "User" SET role = 'admin' WHERE name = 'ola'`);
    await getPool().query(`UPDATE "ApiToken" SET "lastUsedAt" = now()`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await userFromHeaders(bearer)).toMatchObject({ role: 'curator' });
  });
});
