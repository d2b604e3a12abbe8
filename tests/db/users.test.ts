import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userFromHeaders } from '@/lib/auth/guard';
import { forgetUsers, isRememberingUsers, rememberUsers, stopRememberingUsers } from '@/lib/auth/remembered-users';
import { createSessionValue, SESSION_COOKIE } from '@/lib/auth/tokens';
import { addUser, authenticatePassword, createApiToken, updateUser } from '@/lib/services/users';
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
    const cookie = `${SESSION_COOKIE}=${createSessionValue(user.id)}`;
    expect(await userFromHeaders(new Headers({ cookie }))).toMatchObject({ name: 'dave' });
    await updateUser(user.id, { disabled: true });
    expect(await userFromHeaders(new Headers({ authorization: `Bearer ${token}` }))).toBeNull();
    expect(await userFromHeaders(new Headers({ cookie }))).toBeNull();
  });

  it('ignores a session cookie on a cross-site POST', async () => {
    const { user } = await addUser({ name: 'erin', role: 'admin', password: 'erinpass1' });
    const cookie = `${SESSION_COOKIE}=${createSessionValue(user.id)}`;
    const crossSite = new Headers({ cookie, host: 'localhost:3000', origin: 'http://evil.example' });
    const sameSite = new Headers({ cookie, host: 'localhost:3000', origin: 'http://localhost:3000' });
    expect(await userFromHeaders(crossSite, 'POST')).toBeNull();
    expect(await userFromHeaders(sameSite, 'POST')).toMatchObject({ name: 'erin' });
  });

  it('refuses a token for a user that does not exist', async () => {
    await expect(createApiToken('ghost')).rejects.toThrow(/no user named "ghost"/);
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
});
