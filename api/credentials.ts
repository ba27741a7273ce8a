import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Browse-only credentials of a space on another platform: sealed with AES-256-GCM under
// CREDENTIALS_KEY, opened only for the experts assigned to the space.
export interface BrowseCredentials {
  username: string;
  password: string;
}

export function sealCredentials(key: Buffer, creds: BrowseCredentials): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(creds), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

export function openCredentials(key: Buffer, sealed: string): BrowseCredentials {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || !body) throw new Error('not sealed credentials');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as BrowseCredentials;
}
