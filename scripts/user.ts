// `npm run user -- <command>`: the users of built-in sign-in (AUTH_MODE=builtin),
// and the roles of proxy users (AUTH_MODE=proxy). The first admin is created here;
// there is no default password. A password is asked on the terminal (twice), or
// read as one line from standard input when that is not a terminal.
//
//   npm run user -- add alice --role admin [--email a@example.com] [--no-password]
//   npm run user -- list | role alice editor | password alice | disable alice | enable alice | remove alice
import { createInterface } from 'node:readline';
import { ConfigError, parseConfig } from '../lib/config';
import { createPrisma } from '../lib/db';
import { isRole, type Role } from '../lib/auth/roles';
import { createUser, deleteUser, getUserByName, listUsers, updateUser, UserError, type UserView } from '../lib/auth/users';
import { openCliDatabase } from './db-connection';

const USAGE = `usage: npm run user -- <command>
  add <name> [--role viewer|editor|admin] [--email <address>] [--no-password]
  list
  role <name> <viewer|editor|admin>
  password <name>          set a new password (ends the user's sessions)
  disable <name> | enable <name>
  remove <name>`;

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

function flagged(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
}

function roleArg(v: string | undefined): Role {
  if (!isRole(v)) throw new UsageError(`role must be viewer, editor or admin, not ${JSON.stringify(v ?? '')}`);
  return v;
}

/** One line typed on a terminal without echo. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => write(s.startsWith(prompt) ? prompt : '');
    rl.question(prompt, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function readPassword(name: string): Promise<string> {
  if (process.stdin.isTTY) {
    const a = await askHidden(`password for ${name}: `);
    const b = await askHidden('again: ');
    if (a !== b) throw new UsageError('the two passwords differ');
    return a;
  }
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split(/\r?\n/)[0] ?? '';
}

async function named(db: ReturnType<typeof createPrisma>, name: string | undefined): Promise<UserView> {
  if (!name) throw new UsageError('name the user');
  const u = await getUserByName(db, name);
  if (!u) throw new UserError(404, `no user named ${JSON.stringify(name)} (npm run user -- list)`);
  return u;
}

const describe = (u: UserView) => `${u.name}\t${u.role}${u.disabled ? ' (disabled)' : ''}${u.email ? `\t${u.email}` : ''}${u.hasPassword ? '' : '\t(no password: proxy only)'}`;

async function main(argv: string[]): Promise<string> {
  const args = [...argv];
  const cmd = args.shift();
  if (!cmd || cmd === 'help' || cmd === '--help') return USAGE;
  const cfg = parseConfig(process.env);
  // Parse everything before touching the database.
  const role = cmd === 'add' ? roleArg(option(args, '--role') ?? 'viewer') : undefined;
  const email = cmd === 'add' ? option(args, '--email') : undefined;
  const noPassword = cmd === 'add' && flagged(args, '--no-password');
  if (!['add', 'list', 'role', 'password', 'disable', 'enable', 'remove'].includes(cmd)) throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  const password = cmd === 'password' || (cmd === 'add' && !noPassword) ? await readPassword(args[0] ?? '') : undefined;
  const conn = await openCliDatabase(cfg, (m) => console.error(m));
  const db = createPrisma(conn.url);
  try {
    switch (cmd) {
      case 'add': {
        if (!args[0]) throw new UsageError('name the user');
        const u = await createUser(db, { name: args[0], email, role: role!, password });
        return `added ${describe(u)}`;
      }
      case 'list':
        return (await listUsers(db)).map(describe).join('\n') || 'no users yet: npm run user -- add <name> --role admin';
      case 'role': {
        const u = await named(db, args[0]);
        return `${describe(await updateUser(db, u.id, { role: roleArg(args[1]) }))}`;
      }
      case 'password': {
        const u = await named(db, args[0]);
        await updateUser(db, u.id, { password });
        return `new password for ${u.name}; their sessions ended`;
      }
      case 'disable':
      case 'enable': {
        const u = await named(db, args[0]);
        return describe(await updateUser(db, u.id, { disabled: cmd === 'disable' }));
      }
      case 'remove': {
        const u = await named(db, args[0]);
        await deleteUser(db, u.id);
        return `removed ${u.name}`;
      }
    }
    return USAGE;
  } finally {
    await db.$disconnect();
    await conn.close();
  }
}

main(process.argv.slice(2)).then(
  (out) => console.log(out),
  (e) => {
    if (e instanceof UsageError) console.error(`${e.message}\n${USAGE}`);
    else if (e instanceof UserError || e instanceof ConfigError) console.error(e.message);
    else console.error(`user: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
