import { ApiError } from '@/lib/api-errors';
import type { Role } from './roles';

/**
 * A request we refuse for who sent it: 401 when nobody is signed in, 403 when
 * the viewer's role is too small (or a cookie-authenticated mutation lacks its
 * CSRF token). errorResponse() answers it with its status and message.
 */
export class AuthError extends ApiError {
  constructor(
    readonly status: 401 | 403,
    message: string,
    readonly needed?: Role,
  ) {
    super(status, message);
    this.name = 'AuthError';
  }
}
