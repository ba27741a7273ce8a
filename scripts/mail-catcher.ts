// The embedded mail catcher: an SMTP server on localhost that accepts every message and
// keeps it under <DATA_DIR>/mail/ as <id>.eml (the raw message) and <id>.json (parsed),
// for the dev-only page /dev/mail. `npm start` runs it when SMTP_URL is unset; on its
// own: `node --import tsx scripts/mail-catcher.ts`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { caughtMailDir, type CaughtMail } from '../lib/caught-mail';
import { loadConfig } from '../lib/config';

export interface MailCatcher {
  url: string;
  port: number;
  /** ServiceHandle fields (scripts/services.ts): true when this process listens itself. */
  started: boolean;
  source: 'started' | 'reused';
  stop(): Promise<void>;
}

const MAX_SIZE = 10 * 1024 * 1024;

function addressText(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

/** Whether something already answers SMTP on the port (a catcher left by an earlier start). */
function speaksSmtp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('data', (d) => done(d.toString('latin1').startsWith('220')));
    socket.once('error', () => done(false));
  });
}

export async function startMailCatcher(opts: { dir: string; port: number; host?: string; log?: (line: string) => void }): Promise<MailCatcher> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((line: string) => process.stderr.write(`[mail-catcher] ${line}\n`));
  fs.mkdirSync(opts.dir, { recursive: true });

  const server = new SMTPServer({
    banner: 'learning-space mail catcher (dev only; nothing is delivered)',
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_SIZE,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const id = `${Date.now()}-${randomBytes(4).toString('hex')}`;
        simpleParser(raw)
          .then((parsed) => {
            const mail: CaughtMail = {
              id,
              receivedAt: new Date().toISOString(),
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              from: addressText(parsed.from),
              to: addressText(parsed.to),
              subject: parsed.subject ?? '',
              messageId: parsed.messageId,
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : null,
              size: raw.length,
            };
            fs.writeFileSync(path.join(opts.dir, `${id}.eml`), raw);
            // The .json last: the page lists a mail once its .json exists.
            fs.writeFileSync(path.join(opts.dir, `${id}.json`), JSON.stringify(mail, null, 2));
            log(`caught "${mail.subject}" for ${mail.envelope.to.join(', ')}`);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  server.on('error', (err) => log(`error: ${err.message}`));

  const listening = await new Promise<number | 'in-use'>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve('in-use') : reject(err));
    server.server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.server.off('error', onError);
      resolve((server.server.address() as net.AddressInfo).port);
    });
  });
  if (listening === 'in-use') {
    if (!(await speaksSmtp(opts.port, host))) throw new Error(`port ${opts.port} is taken by something that does not speak SMTP; set MAIL_CATCHER_PORT or SMTP_URL`);
    log(`an SMTP server already listens on ${host}:${opts.port}; reusing it`);
    return { url: `smtp://${host}:${opts.port}`, port: opts.port, started: false, source: 'reused', stop: async () => undefined };
  }
  return {
    url: `smtp://${host}:${listening}`,
    port: listening,
    started: true,
    source: 'started',
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (require.main === module) {
  void (async () => {
    const config = loadConfig();
    const dir = caughtMailDir(config.DATA_DIR);
    const catcher = await startMailCatcher({ dir, port: config.MAIL_CATCHER_PORT });
    process.stderr.write(`[mail-catcher] ${catcher.url} → ${dir} (set SMTP_URL=${catcher.url} for the worker)\n`);
    const stop = () => void catcher.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })().catch((err: Error) => {
    process.stderr.write(`[mail-catcher] ${err.message}\n`);
    process.exit(1);
  });
}
