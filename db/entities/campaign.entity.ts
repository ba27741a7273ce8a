import { EntitySchema } from '@mikro-orm/core';
import type { CampaignConfig } from '../../lib/campaign-config';
import type { Schedule, ScheduleChange } from '../../lib/rules/schedule';
import { BaseEntity, BaseEntitySchema } from './base.entity';

export class Campaign extends BaseEntity {
  /** A slug such as `hubei-2017`; also part of every workflow id of the campaign. */
  id!: string;
  name!: string;
  year!: number;
  config!: CampaignConfig;
  /** The effective schedule as the campaign workflow last wrote it (read model). */
  schedule!: Schedule;
  demo: boolean = false;
}

export const CampaignSchema = new EntitySchema<Campaign, BaseEntity>({
  class: Campaign,
  extends: BaseEntitySchema,
  tableName: 'campaign',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    year: { type: 'integer' },
    config: { type: 'json' },
    schedule: { type: 'json' },
    demo: { type: 'boolean', default: false },
  },
});

/** Mirror of the campaign workflow's schedule changes, for SQL lists and the audit page. */
export class CampaignEvent {
  id!: number;
  campaignId!: string;
  seq!: number;
  change!: ScheduleChange;
  at!: Date;
}

export const CampaignEventSchema = new EntitySchema<CampaignEvent>({
  class: CampaignEvent,
  tableName: 'campaign_event',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    campaignId: { type: 'string' },
    seq: { type: 'integer' },
    change: { type: 'json' },
    at: { type: 'datetime' },
  },
});
