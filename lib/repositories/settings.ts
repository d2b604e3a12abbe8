import type { Prisma, Setting } from '@/lib/generated/prisma/client';
import { getPrisma } from '@/lib/db';

export const settingsRepository = {
  /** The one settings row, created with its defaults on first read. */
  get(): Promise<Setting> {
    return getPrisma().setting.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
  },
  update(data: Prisma.SettingUpdateInput): Promise<Setting> {
    return getPrisma().setting.upsert({ where: { id: 1 }, create: { id: 1, ...(data as Prisma.SettingCreateInput) }, update: data });
  },
  /** Stores the root only if none is stored yet; answers the root that is stored afterwards. */
  async claimDatasetRoot(root: string): Promise<string> {
    await getPrisma().$executeRaw`INSERT INTO "Setting" (id, "datasetRoot", "updatedAt") VALUES (1, ${root}, now())
      ON CONFLICT (id) DO UPDATE SET "datasetRoot" = COALESCE("Setting"."datasetRoot", EXCLUDED."datasetRoot")`;
    return (await this.get()).datasetRoot!;
  },
};
