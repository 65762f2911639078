// Request bodies of the sign-in and user-admin routes (zod), so the routes stay
// validate → lib → respond.
import { z } from 'zod';
import { ROLES } from './roles';

export const SignInBody = z.object({
  name: z.string({ error: 'name is required' }).trim().min(1, 'name is required').max(64),
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(1024),
});

const role = z.enum(ROLES, { error: 'role must be viewer, editor or admin' });
const email = z.string().trim().max(320).nullable().optional();

export const NewUserBody = z.object({
  name: z.string({ error: 'name is required' }).trim(),
  email,
  role: role.default('viewer'),
  /** omitted: a proxy-only user */
  password: z.string().optional(),
});

export const UserChangeBody = z
  .object({ email, role: role.optional(), disabled: z.boolean().optional(), password: z.string().nullable().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change: give role, disabled, email or password' });

export const UserId = z.uuid({ error: 'not a user id' });
