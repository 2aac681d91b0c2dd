import { MigrationInterface, QueryRunner } from 'typeorm';

export class ClipLook1796086869168 implements MigrationInterface {
  name = 'ClipLook1796086869168';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "look" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "layout_choice" jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "layout_choice"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "look"
        `);
  }
}
