/**
 * MGN's error shapes as the REST-JSON protocol carries them: the `x-amzn-errortype` header names
 * the exception, the JSON body carries its members. @aws-sdk/client-mgn turns these into its own
 * exception classes (ConflictException, ServiceQuotaExceededException, ...).
 */
export class MgnError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

/** One offending resource of a ConflictException (MGN's ErrorDetails). */
export interface ConflictDetail {
  readonly message: string;
  readonly code: string;
  readonly resourceId: string;
  readonly resourceType: string;
}

export function conflict(message: string, errors: ConflictDetail[] = [], resource?: { id: string; type: string }): MgnError {
  return new MgnError('ConflictException', 409, {
    message,
    code: 'CONFLICT',
    errors,
    ...(resource ? { resourceId: resource.id, resourceType: resource.type } : {}),
  });
}

export function notFound(resourceType: string, resourceId: string): MgnError {
  return new MgnError('ResourceNotFoundException', 404, {
    message: `${resourceType} ${resourceId} not found`,
    code: 'RESOURCE_NOT_FOUND',
    resourceId,
    resourceType,
  });
}

export function quotaExceeded(quotaCode: string, quotaValue: number, message: string): MgnError {
  return new MgnError('ServiceQuotaExceededException', 402, {
    message,
    code: 'SERVICE_QUOTA_EXCEEDED',
    quotaCode,
    quotaValue,
    serviceCode: 'mgn',
    resourceType: 'JOB',
  });
}

export type ValidationReason = 'unknownOperation' | 'cannotParse' | 'fieldValidationFailed' | 'other';

export function validation(message: string, reason: ValidationReason = 'fieldValidationFailed', fields: Array<{ name: string; message: string }> = []): MgnError {
  return new MgnError('ValidationException', 400, { message, code: 'VALIDATION', reason, fieldList: fields });
}

/** A field-level ValidationException, naming the field as MGN's fieldList does. */
export function invalidField(name: string, message: string): MgnError {
  return validation(`Invalid ${name}: ${message}`, 'fieldValidationFailed', [{ name, message }]);
}

export function throttled(retryAfterSeconds: number): MgnError {
  // The SDK reads retryAfterSeconds from the Retry-After header; the body carries it too for humans.
  return new MgnError(
    'ThrottlingException',
    429,
    { message: 'Rate exceeded', serviceCode: 'mgn', quotaCode: 'ApiRequestRate', retryAfterSeconds: String(retryAfterSeconds) },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

export function internalError(): MgnError {
  return new MgnError('InternalServerException', 500, { message: 'An internal error occurred (injected by the MGN fake)' }, { 'retry-after': '1' });
}

export function uninitialized(): MgnError {
  return new MgnError('UninitializedAccountException', 400, {
    message: 'Account is not initialized for Application Migration Service. Call InitializeService first.',
    code: 'UNINITIALIZED_ACCOUNT',
  });
}

export function accessDenied(message: string): MgnError {
  return new MgnError('AccessDeniedException', 403, { message, code: 'ACCESS_DENIED' });
}
