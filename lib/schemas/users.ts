import { z } from 'zod';
import { text } from '@/lib/schemas/primitives';
import { roleSchema } from '@/lib/schemas/responses';

export const userNameSchema = text(64, 'name')
  .trim()
  .min(1, 'name is empty')
  .regex(/^[^\s/\\:]+$/u, 'name must not contain spaces, slashes or colons');

export const passwordSchema = text(200, 'password').min(8, 'password must be at least 8 characters');

export const signInSchema = z.object({ name: text(64, 'name').min(1), password: text(200, 'password').min(1) });
export const addUserSchema = z.object({ name: userNameSchema, role: roleSchema, password: passwordSchema.optional() });
export const updateUserSchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional(), password: passwordSchema.optional() })
  .refine((value) => Object.keys(value).length > 0, 'nothing to change');
