import { z } from 'zod';
import { STAGES } from '../lib/rules/entrant-state';
import { CATEGORIES, WINDOW_KEYS } from '../lib/rules/schedule';

// Shared request schemas: validate input and document the API.
export const uuidParam = z.object({ id: z.uuid({ message: 'not an entrant id' }) });
export const campaignIdParam = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'not a campaign id') });
export const category = z.enum(CATEGORIES);
export const stage = z.enum(STAGES);
export const windowKey = z.enum(WINDOW_KEYS);
export const reason = z.string().trim().min(1, 'a reason is required').max(2000);
export const optionalReason = z.string().trim().max(2000).optional();
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
};
const httpUrl = z
  .url({ message: 'not a web address' })
  .max(500)
  .refine((u) => /^https?:\/\//i.test(u), 'the space address must start with http:// or https://');

export const browseCredentials = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
});

export const entrantFields = {
  name: z.string().trim().min(1, 'name is required').max(50),
  subject: z.string().trim().min(1, 'subject is required').max(50),
  stage,
  spaceUrl: httpUrl,
  platform: z.string().trim().min(1, 'platform is required').max(100),
  browseCredentials: browseCredentials.optional(),
};
