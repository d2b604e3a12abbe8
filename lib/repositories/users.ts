import type { Role } from '@/lib/generated/prisma/client';
import { getPrisma } from '@/lib/db';

export interface UserRecord {
  id: number;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
}

const publicFields = { id: true, name: true, role: true, disabled: true, createdAt: true } as const;

export const usersRepository = {
  list(): Promise<UserRecord[]> {
    return getPrisma().user.findMany({ select: publicFields, orderBy: { name: 'asc' } });
  },
  findById(id: number): Promise<UserRecord | null> {
    return getPrisma().user.findUnique({ where: { id }, select: publicFields });
  },
  findWithPassword(name: string) {
    return getPrisma().user.findUnique({ where: { name } });
  },
  findByName(name: string): Promise<UserRecord | null> {
    return getPrisma().user.findUnique({ where: { name }, select: publicFields });
  },
  upsert(name: string, role: Role, passwordHash: string | null): Promise<UserRecord> {
    return getPrisma().user.upsert({
      where: { name },
      create: { name, role, passwordHash },
      update: { role, ...(passwordHash ? { passwordHash } : {}) },
      select: publicFields,
    });
  },
  update(id: number, data: { role?: Role; disabled?: boolean; passwordHash?: string }): Promise<UserRecord> {
    return getPrisma().user.update({ where: { id }, data, select: publicFields });
  },
  count(): Promise<number> {
    return getPrisma().user.count();
  },
  addToken(userId: number, tokenHash: string) {
    return getPrisma().apiToken.create({ data: { userId, tokenHash } });
  },
  async findByTokenHash(tokenHash: string): Promise<UserRecord | null> {
    const token = await getPrisma().apiToken.findUnique({ where: { tokenHash }, include: { user: { select: publicFields } } });
    return token?.user ?? null;
  },
};
