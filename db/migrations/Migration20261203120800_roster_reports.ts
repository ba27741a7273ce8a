import { Migration } from '@mikro-orm/migrations';

// The eligible population (school rosters) and the indexes the progress report and the
// campaign dashboard read (SPEC §9). Reports are SQL aggregates; these keep them index-only.
export class Migration20261203120800_roster_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table roster (
        campaign_id text not null references campaign(id),
        school_id int not null references school(id),
        teachers int not null check (teachers >= 0),
        students int not null check (students >= 0),
        -- teacher spaces registered on the provincial platform (省平台注册教师空间数)
        platform_spaces int not null check (platform_spaces >= 0),
        source_hash text not null,
        imported_at timestamptz not null,
        imported_by uuid references account(id),
        primary key (campaign_id, school_id)
      );

      -- Registered/approved as of T per county or school, without touching the heap: the
      -- range is (campaign, county, registered_at < T); category, school and approval ride along.
      create index entrant_report_idx on entrant(campaign_id, county_id, registered_at) include (category, school_id, approved_at);
      -- Leaving (withdrawn/disqualified) is rare; the report subtracts it from this small index.
      create index entrant_transition_left_idx on entrant_transition(at) include (entrant_id) where to_state in ('withdrawn', 'disqualified');
      -- The dashboard's "approvals pending per school" (待审核).
      create index entrant_pending_idx on entrant(campaign_id, county_id, school_id) where state = 'pending_approval';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index if exists entrant_pending_idx;
      drop index if exists entrant_transition_left_idx;
      drop index if exists entrant_report_idx;
      drop table if exists roster;
    `);
  }
}
