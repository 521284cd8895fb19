import { DEFAULT_EXCLUDE_CHARACTERS } from '../../functions/shared/settings';
import { accountName, adminQuery, listUsers, privilegesOf } from '../support/database-admin';
import { useDatabaseFixtures } from '../support/database-fixtures';
import { DATABASE_HANDLERS, expectNobodyLockedOut, Handler, STEPS, Strategy } from '../support/rotation-harness';
import { DatabaseTarget, EngineKind } from '../support/targets';

/**
 * Usernames and passwords that break SQL built by pasting strings, rotated by
 * every database handler against the real servers. A rotation must complete,
 * leave the right user logging in with exactly its old privileges, and touch
 * nothing else: no other user, no other password, no other table.
 */

let counter = 0;

/** A table that an injected `DROP TABLE canary` would remove. */
const CANARY = 'canary';

const f = useDatabaseFixtures(async (fixtures) => {
  for (const target of [fixtures.targets.postgres, fixtures.targets.mysql]) {
    await adminQuery(target, `CREATE TABLE ${CANARY} (id int)`);
    await adminQuery(target, `INSERT INTO ${CANARY} VALUES (1)`);
  }
});

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const characters = (s: string) => [...s].length;

/** The longest user name each server takes, in its own unit. */
const NAME_LIMITS: Record<EngineKind, { readonly max: number; readonly measure: (name: string) => number }> = {
  // NAMEDATALEN - 1, in bytes: "é" counts twice.
  postgres: { max: 63, measure: bytes },
  // PostgreSQL plays Redshift here, so its limit applies (Redshift itself takes 127 bytes).
  redshift: { max: 63, measure: bytes },
  // MySQL 5.7.8+ and Aurora, in characters; the handler's default even on MariaDB, which takes 80.
  mysql: { max: 32, measure: characters },
};

/** Longest name of the pair: `<name>_clone` for the alternating-users strategy. */
const longestOf = (username: string, strategy: Strategy) => (strategy === 'multi-user' ? `${username}_clone` : username);

/** Pads `prefix` with `filler` (then ASCII) to exactly the longest name the server takes for this strategy. */
function longestName(prefix: string, filler: string, kind: EngineKind, strategy: Strategy): string {
  const { max, measure } = NAME_LIMITS[kind];
  let name = prefix;
  while (measure(longestOf(name + filler, strategy)) <= max) name += filler;
  while (measure(longestOf(name + 'x', strategy)) <= max) name += 'x';
  return name;
}

interface NameContext {
  readonly n: number;
  readonly kind: EngineKind;
  readonly strategy: Strategy;
  readonly handler: string;
}

/** An SQL keyword per handler, so that handlers sharing a server do not share a user. */
const KEYWORDS: Record<string, string> = {
  'postgres-single-user': 'SELECT',
  'postgres-multi-user': 'CURRENT_USER',
  'mysql-single-user': 'CURRENT_USER',
  'mysql-multi-user': 'GRANT',
  'redshift-single-user': 'USER',
  'redshift-multi-user': 'DROP',
};

interface HostileCase {
  readonly what: string;
  username(context: NameContext): string;
  readonly password: string;
}

const CASES: readonly HostileCase[] = [
  {
    what: 'quotes, backticks, backslashes and semicolons',
    username: ({ n }) => `o'q "d" \`b\` \\;${n}`,
    password: `it's a "pass" \`word\` \\' ; -- \\`,
  },
  {
    what: '%, _ and spaces',
    username: ({ n }) => ` 100% _u_  %s ${n}`,
    password: ` %s %d %% _ ?? $1 :x `,
  },
  {
    // MariaDB keeps user names in utf8mb3, which has no emoji.
    what: 'accents, CJK and emoji',
    username: ({ n, kind }) => (kind === 'mysql' ? `José 你好 ${n}` : `José 你好 🙂 ${n}`),
    password: 'pässwörd 你好 🙂 ☃',
  },
  {
    what: 'an injection attempt',
    username: ({ n }) => `"';DROP TABLE ${CANARY};--${n}`,
    password: `'); DROP TABLE ${CANARY}; -- $$; DROP TABLE ${CANARY}; $$ \\'; DROP TABLE ${CANARY}; #`,
  },
  {
    what: 'a bare SQL keyword',
    username: ({ handler }) => KEYWORDS[handler],
    password: `' OR '1'='1`,
  },
  {
    what: 'multi-byte characters up to the length limit',
    username: ({ n, kind, strategy }) => longestName(`${n}`, kind === 'mysql' ? '你' : 'é', kind, strategy),
    password: `é'\\"`.repeat(64),
  },
];

/** A user created by an administrator, with a secret for it. */
async function userWithSecret(kind: EngineKind, strategy: Strategy, username: string, password: string) {
  const target = f.targets[kind];
  const { max, measure } = NAME_LIMITS[kind];
  // A test whose name the server would truncate tests nothing: refuse it here.
  if (measure(longestOf(username, strategy)) > max) throw new Error(`test user ${JSON.stringify(username)} is too long for ${kind}`);
  const usersBefore = await listUsers(target);
  await target.createUser(username, password);
  f.passwords.push(password);
  const masterarn = strategy === 'multi-user' ? f.masters[kind] : undefined;
  const { arn } = await f.harness.createDatabaseSecret(target, { username, password, ...(masterarn ? { masterarn } : {}) });
  f.secretIds.push(arn);
  return { target, usersBefore, arn };
}

/** One rotation through the four steps, checking after each that someone can still log in. */
async function rotate(handler: Handler, target: DatabaseTarget, arn: string, strategy: Strategy): Promise<{ username: string; password: string }> {
  const token = await f.harness.emulator.beginRotation(arn);
  for (const step of STEPS) {
    await f.harness.invoke(handler, step, arn, token);
    await expectNobodyLockedOut(f.harness, target, arn, strategy, `after ${step}`);
  }
  const current = (await f.harness.valueAt(arn, 'AWSCURRENT'))!;
  return { username: current.username as string, password: current.password as string };
}

/** The canary table is whole and the master credential still logs in. */
async function expectNothingElseTouched(target: DatabaseTarget): Promise<void> {
  expect(await adminQuery(target, `SELECT count(*) AS n FROM ${CANARY}`)).toEqual([{ n: target.kind === 'mysql' ? 1 : '1' }]);
  expect(await target.canLogIn(target.master.username, target.master.password)).toBe(true);
}

describe.each(DATABASE_HANDLERS)('$name', ({ name, kind, strategy }) => {
  const expectedUser = (username: string, round: number) => (strategy === 'multi-user' && round % 2 === 1 ? `${username}_clone` : username);

  it.each(CASES)('rotates twice a user whose name and password hold $what', async ({ username: nameFor, password }) => {
    counter += 1;
    const username = nameFor({ n: counter, kind, strategy, handler: name });
    const clone = `${username}_clone`;
    const { target, usersBefore, arn } = await userWithSecret(kind, strategy, username, password);
    const privileges = await privilegesOf(target, username);
    const handler = f.harness.handler(name);

    let previous = { username, password };
    for (let round = 1; round <= 2; round += 1) {
      const current = await rotate(handler, target, arn, strategy);
      expect(current.username).toBe(expectedUser(username, round));
      expect(current.password).not.toBe(previous.password);
      expect(await target.canRead(current.username, current.password)).toBe(true);
      // One user's old password stops working; with two users the previous one keeps its own.
      expect(await target.canLogIn(previous.username, previous.password)).toBe(strategy === 'multi-user');
      previous = current;
    }

    const created = strategy === 'multi-user' ? [username, clone] : [username];
    expect(await listUsers(target)).toEqual([...usersBefore, ...created.map((u) => accountName(target, u))].sort());
    expect(await privilegesOf(target, username)).toEqual(privileges);
    if (strategy === 'multi-user') {
      // The clone gets the original's privileges and nothing more: on PostgreSQL by membership of the original role.
      expect(await privilegesOf(target, clone)).toEqual(kind === 'postgres' ? [`member of ${username}`] : privileges);
    }
    await expectNothingElseTouched(target);
  });

  /** Rotates twice with a handler loaded with `env`, returning the generated passwords. */
  async function rotateWithEnvironment(env: Record<string, string>): Promise<string[]> {
    counter += 1;
    const username = `env "${counter}" '\\`;
    const { target, arn } = await userWithSecret(kind, strategy, username, `env's "initial" \\ ${counter}`);
    const handler = f.harness.handlerWithEnv(name, env);
    const passwords: string[] = [];
    for (let round = 1; round <= 2; round += 1) {
      const current = await rotate(handler, target, arn, strategy);
      expect(current.username).toBe(expectedUser(username, round));
      expect(await target.canRead(current.username, current.password)).toBe(true);
      passwords.push(current.password);
    }
    await expectNothingElseTouched(target);
    return passwords;
  }

  it('generates passwords of PASSWORD_LENGTH from every printable character when EXCLUDE_CHARACTERS is empty, and rotates with them', async () => {
    for (const password of await rotateWithEnvironment({ EXCLUDE_CHARACTERS: '', PASSWORD_LENGTH: '100' })) {
      expect(password).toMatch(/^[!-~]{100}$/);
      // The default would leave out all of these; 100 characters drawn from all 94 miss every one of them about once in 10^16.
      expect([...password].some((ch) => DEFAULT_EXCLUDE_CHARACTERS.includes(ch))).toBe(true);
    }
  });

  it('leaves the characters of a custom EXCLUDE_CHARACTERS out of generated passwords, and rotates with them', async () => {
    // Excludes every printable character but a few letters and digits and the ones that break quoting.
    const allowed = `abcXYZ019'"\\;%_`;
    const exclude = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))
      .filter((ch) => !allowed.includes(ch))
      .join('');
    for (const password of await rotateWithEnvironment({ EXCLUDE_CHARACTERS: exclude })) {
      expect(password).toHaveLength(32);
      expect([...password].filter((ch) => !allowed.includes(ch))).toEqual([]);
      // GetRandomPassword puts at least one character of each included type: here, punctuation.
      expect([...password].some((ch) => `'"\\;%_`.includes(ch))).toBe(true);
    }
  });
});
