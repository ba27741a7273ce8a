import { z } from 'zod';

// The one place that reads process.env. Every process (api, worker, scripts)
// calls loadConfig() at start; a bad value stops the process with a clear message.
const envSchema = z.object({
  APP_MODE: z.enum(['demo', 'production']).default('demo'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/learning_space'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().regex(/^[a-z0-9:_-]+$/i).default('lss'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_UI_URL: z.string().default('http://127.0.0.1:8233'),
  // 32 bytes, base64: encrypts entrants' browse credentials (AES-256-GCM).
  CREDENTIALS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'CREDENTIALS_KEY must be 32 bytes in base64')
    .optional(),
  // Express "trust proxy": false (default) or a comma list of proxy addresses/subnets.
  TRUST_PROXY: z.string().refine((v) => v !== 'true', 'TRUST_PROXY=true would let any client choose its IP; list the proxy addresses (e.g. loopback,10.0.0.5)').default('false'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('网络学习空间交流展示活动 <noreply@learning-space.local>'),
  // The embedded mail catcher `npm start` runs when SMTP_URL is unset (scripts/mail-catcher.ts).
  MAIL_CATCHER_PORT: z.coerce.number().int().min(0).max(65535).default(1025),
  // Mails sent at once per worker process (a fan-out to every entrant is ~1M mails).
  MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  // The first province admin's address (created on first start; its password is printed once).
  ADMIN_EMAIL: z.email().optional(),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // 学生助力 videos: the largest upload accepted (bytes, default 200 MB); stored under DATA_DIR/uploads.
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(200 * 1024 * 1024),
  // 异议 evidence (PDF/JPEG/PNG): the largest file accepted (bytes, default 10 MB); stored under DATA_DIR/uploads/evidence.
  EVIDENCE_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  // How often the worker's vote-brushing detector (刷票) runs; 0 turns it off.
  BRUSHING_DETECT_EVERY_SECONDS: z.coerce.number().int().min(0).default(300),
  // Public rankings are cached this long per query (a hot read of a sort over many entrants); 0 = off.
  RANKING_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
});

export type Config = z.infer<typeof envSchema> & { publicUrl: string; credentialsKey: Buffer };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.APP_MODE === 'production' && !c.CREDENTIALS_KEY) {
    throw new Error('Invalid configuration:\n  CREDENTIALS_KEY: required in production');
  }
  return {
    ...c,
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    // Demo mode without a key (tests, a bare `npm run api`) uses an all-zero key;
    // `npm start` generates a real one under data/ on first start.
    credentialsKey: c.CREDENTIALS_KEY ? Buffer.from(c.CREDENTIALS_KEY, 'base64') : Buffer.alloc(32),
  };
}

/**
 * Express "trust proxy": false, or the proxies whose X-Forwarded-For counts. "true" (trust
 * any peer) is refused: it would let every client pick its own IP.
 */
export function trustProxySetting(value: string): false | string[] {
  if (value === 'false' || value === '') return false;
  if (value === 'true') throw new Error('TRUST_PROXY=true would let any client choose its IP; list the proxy addresses instead');
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
