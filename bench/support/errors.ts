/**
 * A readable reason for anything thrown: an Error's message, or what FusionAuth's client rejects
 * with (a ClientResponse: a status and the API's error body, not an Error).
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const { statusCode, exception } = error as { statusCode: unknown; exception?: unknown };
    return `the FusionAuth API answered ${String(statusCode)}${exception ? `: ${JSON.stringify(exception).slice(0, 500)}` : ''}`;
  }
  return String(error);
}
