import { Migration } from '@mikro-orm/migrations';

// 重新评审: an upheld objection sends a space back to review by new experts — a new round of
// review_assignment rows, drawn by a review_run of its own kind.
export class Migration20261203210000_re_review extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table review_run drop constraint review_run_kind_check;
      alter table review_run add constraint review_run_kind_check check (kind in ('assignment','replacement','fourth_review','re_review'));
      alter table review_assignment drop constraint review_assignment_purpose_check;
      alter table review_assignment add constraint review_assignment_purpose_check check (purpose in ('review','replacement','fourth_review','re_review'));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      alter table review_assignment drop constraint review_assignment_purpose_check;
      alter table review_assignment add constraint review_assignment_purpose_check check (purpose in ('review','replacement','fourth_review'));
      alter table review_run drop constraint review_run_kind_check;
      alter table review_run add constraint review_run_kind_check check (kind in ('assignment','replacement','fourth_review'));
    `);
  }
}
