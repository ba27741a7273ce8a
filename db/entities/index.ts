export * from './base.entity';
export * from './region.entity';
export * from './account.entity';
export * from './campaign.entity';
export * from './entrant.entity';
export * from './roster.entity';

import { BaseEntitySchema } from './base.entity';
import { CitySchema, CountySchema, SchoolSchema } from './region.entity';
import { AccountSchema, SessionSchema } from './account.entity';
import { CampaignEventSchema, CampaignSchema } from './campaign.entity';
import { EntrantSchema, EntrantTransitionSchema } from './entrant.entity';
import { RosterSchema } from './roster.entity';

export const ENTITIES = [
  BaseEntitySchema,
  CitySchema,
  CountySchema,
  SchoolSchema,
  AccountSchema,
  SessionSchema,
  CampaignSchema,
  CampaignEventSchema,
  EntrantSchema,
  EntrantTransitionSchema,
  RosterSchema,
];
