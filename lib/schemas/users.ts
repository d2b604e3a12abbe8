import { z } from 'zod';

export const userNameSchema = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(64, 'name is longer than 64 characters')
  .regex(/^[^\s/\\:]+$/u, 'name must not contain spaces, slashes or colons');

export const roleSchema = z.enum(['admin', 'curator']);
export const passwordSchema = z.string().min(8, 'password must be at least 8 characters').max(200);

export const signInSchema = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(200) });
export const addUserSchema = z.object({ name: userNameSchema, role: roleSchema, password: passwordSchema.optional() });
export const updateUserSchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional(), password: passwordSchema.optional() })
  .refine((value) => Object.keys(value).length > 0, 'nothing to change');
