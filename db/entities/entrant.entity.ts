import { EntitySchema } from '@mikro-orm/core';
import type { EntrantState, SchoolStage } from '../../lib/rules/entrant-state';
import type { Category } from '../../lib/rules/schedule';
import { BaseEntity, BaseEntitySchema } from './base.entity';

/** One registration (报名) of one account in one category of one campaign. */
export class Entrant extends BaseEntity {
  id!: string;
  campaignId!: string;
  accountId!: string;
  category!: Category;
  name!: string;
  schoolId!: number;
  countyId!: number;
  cityId!: number;
  subject!: string;
  stage!: SchoolStage;
  spaceUrl!: string;
  platform!: string;
  /** AES-256-GCM sealed browse-only credentials for a space on another platform. */
  browseCredentials?: string | null;
  state!: EntrantState;
  workflowId!: string;
  idempotencyKey?: string | null;
  registeredAt!: Date;
  approvedAt?: Date | null;
  /** The reason of the last decision against the entrant (rejection, disqualification). */
  lastReason?: string | null;
  recommended: boolean = false;
}

export const EntrantSchema = new EntitySchema<Entrant, BaseEntity>({
  class: Entrant,
  extends: BaseEntitySchema,
  tableName: 'entrant',
  properties: {
    id: { type: 'uuid', primary: true },
    campaignId: { type: 'string' },
    accountId: { type: 'uuid' },
    category: { type: 'string' },
    name: { type: 'string' },
    schoolId: { type: 'integer' },
    countyId: { type: 'integer' },
    cityId: { type: 'integer' },
    subject: { type: 'string' },
    stage: { type: 'string' },
    spaceUrl: { type: 'string' },
    platform: { type: 'string' },
    browseCredentials: { type: 'text', nullable: true, hidden: true },
    state: { type: 'string' },
    workflowId: { type: 'string', unique: true },
    idempotencyKey: { type: 'string', nullable: true },
    registeredAt: { type: 'datetime' },
    approvedAt: { type: 'datetime', nullable: true },
    lastReason: { type: 'text', nullable: true },
    recommended: { type: 'boolean', default: false },
  },
});

/** Mirror of the lifecycle's audit trail, one row per transition, keyed by workflow id + event. */
export class EntrantTransition {
  id!: number;
  entrantId!: string;
  workflowId!: string;
  eventKey!: string;
  fromState!: EntrantState;
  toState!: EntrantState;
  actorAccountId?: string | null;
  actorRole!: string;
  reason?: string | null;
  details?: Record<string, unknown> | null;
  at!: Date;
}

export const EntrantTransitionSchema = new EntitySchema<EntrantTransition>({
  class: EntrantTransition,
  tableName: 'entrant_transition',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    entrantId: { type: 'uuid' },
    workflowId: { type: 'string' },
    eventKey: { type: 'string' },
    fromState: { type: 'string' },
    toState: { type: 'string' },
    actorAccountId: { type: 'uuid', nullable: true },
    actorRole: { type: 'string' },
    reason: { type: 'text', nullable: true },
    details: { type: 'json', nullable: true },
    at: { type: 'datetime' },
  },
});
