import { MigrationInterface, QueryRunner } from 'typeorm';

export class PartErrorKind1796100415977 implements MigrationInterface {
  name = 'PartErrorKind1796100415977';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "stage_parts"
            ADD "error_kind" text
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "stage_parts" DROP COLUMN "error_kind"
        `);
  }
}
